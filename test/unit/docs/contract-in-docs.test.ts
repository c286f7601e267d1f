import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_AUTH_MODES } from '#core/contract/console-auth.ts';
import { REDACTION_MODES } from '#core/contract/redaction-modes.ts';
import { API_ROUTES, CONSOLE_API_PREFIX } from '#core/contract/routes.ts';
import { WEBHOOK_AUTH_MODES } from '#core/contract/webhook-auth.ts';
import { REPO_ROOT } from '#lib/config.ts';

/**
 * The human-written specifications follow the contract module: a route or mode added to (or removed
 * from) core/contract/ fails here until docs/ says so. (docs/openapi.json follows by generation, checked
 * in test/unit/api/openapi.test.ts.)
 */

const doc = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const apiContract = doc('docs/api-contract.md');
const consoleDoc = doc('docs/console.md');

/** Rows of the route table at the top of docs/api-contract.md: `| \`GET\` | \`/path?query\` | … |`. */
function contractTableRoutes(): string[] {
  const rows = [...apiContract.matchAll(/^\|\s*`(GET|POST|DELETE|PUT|PATCH)`\s*\|\s*`([^`?]+)(?:\?[^`]*)?`\s*\|/gm)];
  return rows.map((m) => `${m[1]} ${m[2]}`).sort();
}

describe('docs follow core/contract', () => {
  it("docs/api-contract.md's route table lists exactly the non-console routes of the route table", () => {
    const expected = API_ROUTES.filter((r) => !r.resource.startsWith(`${CONSOLE_API_PREFIX}/`))
      .map((r) => `${r.method} ${r.resource}`)
      .sort();
    expect(contractTableRoutes()).toEqual(expected);
  });

  it('docs/console.md documents every console route with its method', () => {
    const consoleRoutes = API_ROUTES.filter((r) => r.resource.startsWith(`${CONSOLE_API_PREFIX}/`));
    expect(consoleRoutes.length).toBeGreaterThan(0);
    for (const r of consoleRoutes) expect(consoleDoc, `${r.method} ${r.resource}`).toContain(`${r.method} ${r.resource}`);
  });

  it('every webhook auth mode and redaction mode is named in docs/api-contract.md, every console auth mode in docs/console.md', () => {
    for (const mode of [...WEBHOOK_AUTH_MODES, ...REDACTION_MODES]) expect(apiContract, mode).toContain(`\`${mode}\``);
    for (const mode of CONSOLE_AUTH_MODES) expect(consoleDoc, mode).toMatch(new RegExp(`\\b${mode}\\b`));
  });
});
