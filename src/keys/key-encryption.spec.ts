import { randomBytes } from 'node:crypto';
import { KeyDecryptionError, KeyEncryption } from './key-encryption';

describe('KeyEncryption', () => {
  const current = randomBytes(32);
  const plaintext = Buffer.from('-----pkcs8 bytes-----');

  it('round-trips a sealed key', () => {
    const encryption = new KeyEncryption([current]);
    const sealed = encryption.seal(plaintext, 'kid-1');
    expect(sealed).toMatch(/^v1\./);
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
    expect(() => encryption.open(`v1.${raw.toString('base64url')}`, 'kid-1')).toThrow(KeyDecryptionError);
    expect(() => encryption.open('v0.abc', 'kid-1')).toThrow(KeyDecryptionError);
  });

  it('opens with a previous key and says so, so the caller can re-wrap', () => {
    const previous = randomBytes(32);
    const sealed = new KeyEncryption([previous]).seal(plaintext, 'kid-1');
    expect(new KeyEncryption([current, previous]).open(sealed, 'kid-1')).toEqual({ plaintext, keyIndex: 1 });
  });

  it('refuses keys shorter than 256 bits', () => {
    expect(() => new KeyEncryption([randomBytes(16)])).toThrow();
    expect(() => new KeyEncryption([])).toThrow();
  });
});
