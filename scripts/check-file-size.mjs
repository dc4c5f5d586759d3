// House rule: a source file stays under ~250 lines, or its header says why it is longer (a line that starts
// with `// Long file:` among its first ten lines). Part of `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT = 250;
const ROOTS = ['src', 'client/src'];

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) yield path;
  }
}

const offenders = [];
for (const root of ROOTS) {
  for (const file of sourceFiles(root)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const length = lines.length - (lines.at(-1) === '' ? 1 : 0);
    const explained = lines.slice(0, 10).some((line) => line.startsWith('// Long file:'));
    if (length > LIMIT && !explained) offenders.push(`${file}: ${length} lines`);
  }
}
if (offenders.length > 0) {
  console.error(
    `These files are over ${LIMIT} lines. Split each along a responsibility, or say why it is one room with a ` +
      `header line "// Long file: <reason>":\n  ${offenders.join('\n  ')}`,
  );
  process.exit(1);
}
