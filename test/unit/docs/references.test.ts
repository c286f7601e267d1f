import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#lib/config.ts';

/**
 * The repository stands on its own: every document a file cites is in docs/, every section it cites
 * (`docs/api-contract.md §2.4`) is a heading there, and nothing points at specifications outside the
 * repository. Runs over every tracked text file, so a new comment is checked as soon as it is committed.
 */

const TEXT = /\.(ts|tsx|js|mjs|md|sh|json|yml|yaml)$|Dockerfile$/;

function trackedTextFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((f) => TEXT.test(f) && !f.startsWith('node_modules/') && existsSync(path.join(REPO_ROOT, f)))
    .sort();
}

/** This file names documents and patterns on purpose; it is not a citation. */
const SELF = 'test/unit/docs/references.test.ts';
const files = trackedTextFiles()
  .filter((file) => file !== SELF)
  .map((file) => ({ file, text: readFileSync(path.join(REPO_ROOT, file), 'utf8') }));
const docNames = new Set(files.filter((f) => /^docs\/[^/]+\.md$/.test(f.file)).map((f) => path.basename(f.file)));

/** Section numbers of a doc's headings: `### 4.5 Rejecting` → `4.5`, `## 2. Routes` → `2`. */
function sectionsOf(doc: string): Set<string> {
  const text = files.find((f) => f.file === `docs/${doc}`)?.text ?? '';
  const sections = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)) sections.add(m[1]);
  return sections;
}

/** Where `name` is cited from `file`: `docs/name.md` anywhere, or a bare `name.md` inside docs/. */
function citations(file: string, text: string): Array<{ doc: string; sections: string[]; line: number }> {
  const inDocs = file.startsWith('docs/');
  const pattern = inDocs
    ? /(?<![\w/.-])(?:\.\/)?([\w-]+\.md)((?:[ ,]+§\d+(?:\.\d+)*)*)/g
    : /(?<![\w.-])docs\/([\w-]+\.md)((?:[ ,]+§\d+(?:\.\d+)*)*)/g;
  const out: Array<{ doc: string; sections: string[]; line: number }> = [];
  for (const m of text.matchAll(pattern)) {
    if (inDocs && m[1] === 'README.md') continue;
    const sections = [...m[2].matchAll(/§(\d+(?:\.\d+)*)/g)].map((s) => s[1]);
    out.push({ doc: m[1], sections, line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

describe('references', () => {
  it('finds the docs and the files that cite them', () => {
    expect(docNames.size).toBeGreaterThan(5);
    expect(['api-contract.md', 'audiohook-protocol.md', 'architecture.md', 'data-model.md'].every((d) => docNames.has(d))).toBe(true);
  });

  it('no file points at specifications outside the repository', () => {
    const outside = ['shared', 'docs'].join('/');
    const offenders = files.filter((f) => f.text.includes(outside) || /\]\(\.\.\/\.\.\/\.\.\//.test(f.text)).map((f) => f.file);
    expect(offenders).toEqual([]);
  });

  it('every cited document exists in docs/ and every cited section is one of its headings', () => {
    const broken: string[] = [];
    let cited = 0;
    for (const { file, text } of files) {
      for (const c of citations(file, text)) {
        cited++;
        if (!docNames.has(c.doc)) {
          broken.push(`${file}:${c.line}: docs/${c.doc} does not exist`);
          continue;
        }
        const sections = sectionsOf(c.doc);
        for (const s of c.sections) if (!sections.has(s)) broken.push(`${file}:${c.line}: docs/${c.doc} has no §${s}`);
      }
    }
    expect(broken).toEqual([]);
    expect(cited).toBeGreaterThan(50);
  });

  it('outside docs/, a document of docs/ is cited with its path', () => {
    const bare = new RegExp(`(?<![\\w/.-])(${[...docNames].map((d) => d.replace('.', '\\.')).join('|')})(?![\\w])`, 'g');
    const offenders: string[] = [];
    for (const { file, text } of files) {
      if (file.startsWith('docs/')) continue;
      for (const m of text.matchAll(bare)) offenders.push(`${file}:${text.slice(0, m.index).split('\n').length}: ${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});
