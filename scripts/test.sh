#!/usr/bin/env bash
# The whole test suite, from a clean clone: set-up, type check, lint (ESLint + knip), format check (Prettier), every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc --noEmit
npx tsc --noEmit -p console
npm run --silent lint
npm run --silent format:check
# The CDK tests synthesize the stack from the artifacts in dist/.
npm run --silent build
npx vitest run "$@"
