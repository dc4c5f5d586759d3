import { createDecipheriv, randomBytes } from 'node:crypto';
import { KeyDecryptionError, KeyEncryption, type SealedKind } from './key-encryption';

describe('KeyEncryption', () => {
  const current = randomBytes(32);
  const plaintext = Buffer.from('-----pkcs8 bytes-----');

  it('round-trips a sealed key', () => {
    const encryption = new KeyEncryption([current]);
    const sealed = encryption.seal(plaintext, 'kid-1');
    expect(sealed).toMatch(/^v2\./);
    expect(sealed).not.toContain(plaintext.toString('base64url'));
    expect(encryption.open(sealed, 'kid-1')).toEqual({ plaintext, keyIndex: 0 });
  });

  it('uses a fresh IV for every seal', () => {
    const encryption = new KeyEncryption([current]);
    expect(encryption.seal(plaintext, 'kid-1')).not.toBe(encryption.seal(plaintext, 'kid-1'));
  });

  it('fails with a clear message under the wrong key', () => {
    const sealed = new KeyEncryption([current]).seal(plaintext, 'kid-1');
    const wrong = new KeyEncryption([randomBytes(32)]);
    expect(() => wrong.open(sealed, 'kid-1')).toThrow(KeyDecryptionError);
    expect(() => wrong.open(sealed, 'kid-1')).toThrow(/KEY_ENCRYPTION_KEY/);
  });

  it('fails when a ciphertext is moved to another kid (the kid is authenticated)', () => {
    const encryption = new KeyEncryption([current]);
    const sealed = encryption.seal(plaintext, 'kid-1');
    expect(() => encryption.open(sealed, 'kid-2')).toThrow(KeyDecryptionError);
  });

  it('fails when the ciphertext is tampered with', () => {
    const encryption = new KeyEncryption([current]);
    const sealed = encryption.seal(plaintext, 'kid-1');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => encryption.open(`v2.${raw.toString('base64url')}`, 'kid-1')).toThrow(KeyDecryptionError);
    expect(() => encryption.open('v1.abc', 'kid-1')).toThrow(/envelope format v1/);
  });

  it('derives a key per kind of secret: a signing key never opens as another kind, under the same secret', () => {
    const other: SealedKind = { hkdfInfo: 'warden/other/v1', describe: (id) => `the other secret of ${id}` };
    const sealed = new KeyEncryption([current]).seal(plaintext, 'id-1');
    expect(() => new KeyEncryption([current], other).open(sealed, 'id-1')).toThrow(
      /^Cannot decrypt the other secret of id-1: KEY_ENCRYPTION_KEY/,
    );
    expect(
      new KeyEncryption([current], other).open(new KeyEncryption([current], other).seal(plaintext, 'id-1'), 'id-1'),
    ).toEqual({ plaintext, keyIndex: 0 });
  });

  it('opens with a previous key and says so, so the caller can re-wrap', () => {
    const previous = randomBytes(32);
    const sealed = new KeyEncryption([previous]).seal(plaintext, 'kid-1');
    expect(new KeyEncryption([current, previous]).open(sealed, 'kid-1')).toEqual({ plaintext, keyIndex: 1 });
  });

  it('derives the AES key from the whole secret with HKDF, not its first 32 bytes', () => {
    const long = randomBytes(48);
    const samePrefix = Buffer.concat([long.subarray(0, 32), randomBytes(16)]);
    const sealed = new KeyEncryption([long]).seal(plaintext, 'kid-1');
    expect(() => new KeyEncryption([samePrefix]).open(sealed, 'kid-1')).toThrow(KeyDecryptionError);
    // Nor is the secret used directly as the AES key.
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const direct = createDecipheriv('aes-256-gcm', long.subarray(0, 32), raw.subarray(0, 12));
    direct.setAAD(Buffer.from('kid-1'));
    direct.setAuthTag(raw.subarray(12, 28));
    expect(() => Buffer.concat([direct.update(raw.subarray(28)), direct.final()])).toThrow();
  });

  it('refuses keys shorter than 256 bits', () => {
    expect(() => new KeyEncryption([randomBytes(16)])).toThrow();
    expect(() => new KeyEncryption([])).toThrow();
  });
});
