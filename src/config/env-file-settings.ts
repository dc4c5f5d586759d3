import { readFileSync } from 'node:fs';

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/** The names a .env file assigns (none when there is no file): only to explain what production ignores. */
export function envFileSettings(file = '.env'): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return new Set();
  }
  return new Set(text.split(/\r?\n/).flatMap((line) => ASSIGNMENT.exec(line)?.[1] ?? []));
}
