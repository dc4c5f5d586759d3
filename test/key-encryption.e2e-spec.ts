import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKey } from '../src/keys/entities/signing-key.entity';
import { KeyDecryptionError } from '../src/keys/key-encryption';
import { KeyRotationService } from '../src/keys/key-rotation.service';
import { KeyStore } from '../src/keys/key-store.service';
import { loginBearer, registerUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

describe('private keys at rest', () => {
  const file = join(tmpdir(), `warden-rewrap-${randomUUID()}.sqlite`);
  const oldKey = randomBytes(32).toString('base64url');
  const newKey = randomBytes(32).toString('base64url');
  const boot = (env: Record<string, string | undefined>) =>
    createTestApp({ env: { DATABASE_URL: `sqlite:${file}`, KEY_ENCRYPTION_KEY_PREVIOUS: undefined, ...env } });
  const sealed = async (t: TestApp) =>
    Object.fromEntries(
      (await t.dataSource.getRepository(SigningKey).find()).map((row) => [row.kid, row.encryptedPrivateKey]),
    );

  afterAll(() => rmSync(file, { force: true }));

  it('re-seals every key under a new KEY_ENCRYPTION_KEY, after which the old one is not needed', async () => {
    const first = await boot({ KEY_ENCRYPTION_KEY: oldKey });
    const user = await registerUser(first);
    const session = await loginBearer(first, user);
    await first.app.get(KeyRotationService).publishNext();
    const before = await sealed(first);
    expect(JSON.stringify(before)).not.toMatch(/BEGIN|PRIVATE/);
    await first.close();

    // A wrong key stops start-up with a message that names the setting and the fix.
    const wrong = boot({ KEY_ENCRYPTION_KEY: newKey });
    await expect(wrong).rejects.toBeInstanceOf(KeyDecryptionError);
    await expect(wrong).rejects.toThrow(
      /KEY_ENCRYPTION_KEY is not the key it was sealed with.*KEY_ENCRYPTION_KEY_PREVIOUS/s,
    );

    const changing = await boot({ KEY_ENCRYPTION_KEY: newKey, KEY_ENCRYPTION_KEY_PREVIOUS: oldKey });
    const after = await sealed(changing);
    // An active and a next key: a loop over nothing would prove nothing.
    expect(Object.keys(before)).toHaveLength(2);
    for (const kid of Object.keys(before)) expect(after[kid]).not.toBe(before[kid]);
    // Start-up re-sealed both; an explicit re-wrap (the keys:rewrap command) finds nothing left to do.
    expect(await changing.app.get(KeyStore).rewrap()).toEqual({ total: 2, openedWithPrevious: 0, resealed: 0 });
    await changing.close();

    const done = await boot({ KEY_ENCRYPTION_KEY: newKey });
    try {
      await done.http().get('/api/users/me').set(session.headers).expect(200);
      await done.app.get(KeyRotationService).rotate('manual');
      const fresh = await loginBearer(done, user);
      await done.http().get('/api/users/me').set(fresh.headers).expect(200);
    } finally {
      await done.close();
    }
    await expect(boot({ KEY_ENCRYPTION_KEY: oldKey })).rejects.toBeInstanceOf(KeyDecryptionError);
  });
});
