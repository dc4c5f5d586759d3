import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDevelopmentSecrets } from './development-secrets';

describe('generated development secrets', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'warden-devsecrets-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

  it('are written owner-only (0600), in a new owner-only directory', () => {
    const file = join(directory, 'var', 'dev-secrets.json');
    loadDevelopmentSecrets(['CSRF_SECRET'], file);
    expect(mode(file)).toBe('600');
    expect(mode(join(directory, 'var'))).toBe('700');
  });

  it('tighten a file an older checkout left readable by others when they add a secret to it', () => {
    const file = join(directory, 'dev-secrets.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    loadDevelopmentSecrets(['CSRF_SECRET'], file);
    expect(mode(file)).toBe('600');
  });
});
