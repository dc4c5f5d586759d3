import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDevelopmentSecret } from '../config/development-secrets';
import { decodeSecret } from '../config/secrets';
import { developmentDatabaseError } from './development-database';
import { KeyEncryption } from './key-encryption';

describe('developmentDatabaseError', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-devdb-'));
  const file = join(directory, 'dev-secrets.json');
  const developmentKey = generateDevelopmentSecret();
  writeFileSync(file, JSON.stringify({ KEY_ENCRYPTION_KEY: developmentKey }));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const sealedWith = (secret: Buffer) => new KeyEncryption([secret]).seal(Buffer.from('private key'), 'kid-1');
  const developmentBytes = (decodeSecret(developmentKey) as { bytes: Buffer }).bytes;

  it('says a key sealed with the development KEY_ENCRYPTION_KEY comes from a development database', () => {
    const error = developmentDatabaseError(sealedWith(developmentBytes), 'kid-1', file);
    expect(error?.message).toMatch(/^This database was created in development: its signing key kid-1 is sealed/);
    expect(error?.message).toContain(file);
    expect(error?.message).toMatch(/Give production a database of its own \(DATABASE_URL/);
  });

  it('stays out of the way for any other key, or without development secrets', () => {
    expect(developmentDatabaseError(sealedWith(randomBytes(32)), 'kid-1', file)).toBeNull();
    expect(developmentDatabaseError(sealedWith(developmentBytes), 'kid-1', join(directory, 'none.json'))).toBeNull();
  });
});
