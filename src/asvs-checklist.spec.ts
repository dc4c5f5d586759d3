import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Keeps docs/ASVS.md honest: every requirement in scope has a row, every file a row names exists (and
 * the symbol after `#` is in it), Met rows name a test, and Pending merge rows are re-checked once the
 * branch they wait for has landed (all their files exist).
 */
const ROOT = join(__dirname, '..');

const range = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}.${from + i}`);

/** ASVS 5.0.0: all of V7 and V9; V6 at Levels 1–2 (no out-of-band or cryptographic authenticators); V3.3–3.5. */
const IN_SCOPE = [
  ...range('7.1', 1, 3),
  ...range('7.2', 1, 4),
  ...range('7.3', 1, 2),
  ...range('7.4', 1, 5),
  ...range('7.5', 1, 3),
  ...range('7.6', 1, 2),
  ...range('9.1', 1, 3),
  ...range('9.2', 1, 4),
  ...range('6.1', 1, 3),
  ...range('6.2', 1, 12),
  ...range('6.3', 1, 4),
  ...range('6.4', 1, 4),
  ...range('6.5', 1, 5),
  ...range('6.8', 1, 4),
  ...range('3.3', 1, 5),
  ...range('3.4', 1, 7),
  ...range('3.5', 1, 3),
  ...range('3.5', 6, 7),
];

const VERDICTS = ['Met', 'Partly', 'N/A', 'Pending merge'] as const;
const ID = /^\d+\.\d+\.\d+$/;
const FILE_REF = /`((?:src|test|client|examples|docs|scripts)\/[^`#\s]+)(?:#([^`]+))?`/g;
const TEST_FILE = /\.(e2e-|browser-)?spec\.ts$/;

interface Files {
  exists: (path: string) => boolean;
  read: (path: string) => string;
}

interface Ref {
  path: string;
  symbol?: string;
}

const refsIn = (cell: string): Ref[] =>
  [...cell.matchAll(FILE_REF)].map(([, path, symbol]) => ({ path, ...(symbol ? { symbol } : {}) }));

export function checklistProblems(markdown: string, files: Files, inScope: string[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const line of markdown.split('\n')) {
    // Table rows (Prettier pads the cells): | ID | L | requirement | verdict | code | proven by |
    const cells = line.trim().startsWith('|')
      ? line
          .trim()
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim())
      : [];
    if (cells.length !== 6 || !ID.test(cells[0])) continue;
    const [id, , , verdictCell, codeCell, testCell] = cells;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const verdict = VERDICTS.find((candidate) => verdictCell.startsWith(candidate));
    if (!verdict) {
      problems.push(`${id}: verdict "${verdictCell}" is not one of ${VERDICTS.join(', ')}`);
      continue;
    }
    const code = refsIn(codeCell);
    const tests = refsIn(testCell);
    const missing = [...code, ...tests].filter((ref) => !files.exists(ref.path));
    if (verdict === 'Pending merge') {
      if (tests.length === 0) problems.push(`${id}: a pending row names the test files it waits for`);
      else if (missing.length === 0) {
        problems.push(`${id}: every file it waited for exists now; re-check it and set its verdict and code`);
      }
      continue;
    }
    for (const ref of missing) problems.push(`${id}: ${ref.path} does not exist`);
    for (const ref of [...code, ...tests]) {
      if (ref.symbol && files.exists(ref.path) && !files.read(ref.path).includes(ref.symbol)) {
        problems.push(`${id}: ${ref.path} no longer contains ${ref.symbol}`);
      }
    }
    for (const ref of tests) {
      if (!TEST_FILE.test(ref.path)) problems.push(`${id}: ${ref.path} is not a test file`);
    }
    if (verdict === 'N/A' && verdictCell.replace(/^N\/A:?/, '').trim().length < 5) {
      problems.push(`${id}: N/A needs its reason`);
    }
    if ((verdict === 'Met' || verdict === 'Partly') && (code.length === 0 || tests.length === 0)) {
      problems.push(`${id}: a ${verdict} row names the code and the test that proves it`);
    }
  }
  for (const id of inScope) if (!seen.has(id)) problems.push(`${id}: no row`);
  for (const [id, count] of seen) if (count > 1) problems.push(`${id}: ${count} rows`);
  for (const id of seen.keys()) if (!inScope.includes(id)) problems.push(`${id}: not in scope`);
  return problems;
}

describe('docs/ASVS.md', () => {
  const disk: Files = {
    exists: (path) => existsSync(join(ROOT, path)),
    read: (path) => readFileSync(join(ROOT, path), 'utf8'),
  };

  it('has a row for every requirement in scope, each backed by files that exist', () => {
    expect(checklistProblems(readFileSync(join(ROOT, 'docs/ASVS.md'), 'utf8'), disk, IN_SCOPE)).toEqual([]);
  });

  describe('the check itself', () => {
    const files = (present: Record<string, string>): Files => ({
      exists: (path) => path in present,
      read: (path) => present[path] ?? '',
    });
    const row = (verdict: string, code: string, test: string) => `| 9.9.9 | 2 | r | ${verdict} | ${code} | ${test} |`;

    it.each([
      ['a missing code file', row('Met', '`src/gone.ts`', '`test/a.e2e-spec.ts`'), 'src/gone.ts does not exist'],
      [
        'a missing test file',
        row('Met', '`src/a.ts`', '`test/gone.e2e-spec.ts`'),
        'test/gone.e2e-spec.ts does not exist',
      ],
      ['a vanished symbol', row('Met', '`src/a.ts#renamed`', '`test/a.e2e-spec.ts`'), 'no longer contains renamed'],
      ['a Met row without a test', row('Met', '`src/a.ts`', '–'), 'names the code and the test'],
      ['a test that is no test', row('Met', '`src/a.ts`', '`src/a.ts`'), 'is not a test file'],
      ['an N/A without reason', row('N/A', '–', '–'), 'N/A needs its reason'],
      ['a pending row whose files all landed', row('Pending merge', 'x', '`test/a.e2e-spec.ts`'), 're-check it'],
      ['an unknown verdict', row('Mostly', '`src/a.ts`', '`test/a.e2e-spec.ts`'), 'is not one of'],
    ])('reports %s', (_case, markdown, problem) => {
      const present = files({ 'src/a.ts': 'export const thing = 1;', 'test/a.e2e-spec.ts': '' });
      expect(checklistProblems(markdown, present, ['9.9.9']).join('\n')).toContain(problem);
    });

    it('accepts a pending row while a file it waits for is missing, and reports requirements without a row', () => {
      const markdown = row('Pending merge', 'x', '`test/a.e2e-spec.ts`, `test/mfa.e2e-spec.ts`');
      const present = files({ 'test/a.e2e-spec.ts': '' });
      expect(checklistProblems(markdown, present, ['9.9.9', '9.9.8'])).toEqual(['9.9.8: no row']);
    });
  });
});
