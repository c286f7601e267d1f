#!/usr/bin/env bash
# One-time (idempotent) set-up shared by `npm run setup`, `npm test` and .ci/run:
# the Debian packages the embedded speech engine needs (and its real-speech test sets), the browser tests'
# Chromium and the speech synthesizer of the vocabulary tests, then `npm ci` when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser tests drive it headless through playwright-core (no browser download).
# flite: the custom-vocabulary test and bench synthesize their call with it (never used at run time).
# asterisk-core-sounds-en(-wav): recorded telephone prompts and their texts, the second real-speech set.
DEB_PACKAGES=(libpocketsphinx3 pocketsphinx-en-us pocketsphinx-testdata asterisk-core-sounds-en-wav asterisk-core-sounds-en chromium flite)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing Debian packages (speech engine, browser for the tests): ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "setup: cannot install ${missing[*]} without root rights. Run:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    echo "then run this command again." >&2
    exit 1
  fi
  "${SUDO[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${missing[@]}"
fi

# npm ci only when package-lock.json changed since the last install (it wipes node_modules otherwise).
stamp=node_modules/.setup-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$hash" ]]; then
  npm ci --no-audit --no-fund
  echo "$hash" > "$stamp"
fi
echo "setup: ready"
