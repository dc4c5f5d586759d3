import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The README's folder map ("How it fits together") names every folder of src/, and only folders that exist. */
describe("the README's folder map", () => {
  const root = join(__dirname, '..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## How it fits together'));
  const map = /```\n(src\/\n[\s\S]*?)```/.exec(section)?.[1] ?? '';
  // The src/ part: from "src/" to the first top-level folder after it (client/, test/, ...).
  const srcPart = map.slice(0, map.search(/\n\S/));
  const named = [...srcPart.matchAll(/^ {2}([a-z][a-z0-9-]*)\/ /gm)].map((match) => match[1]).sort();
  const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  it('is found', () => {
    expect(named.length).toBeGreaterThan(10);
  });

  it('names every folder of src/, and none that is gone', () => {
    expect(named).toEqual(folders);
  });
});
