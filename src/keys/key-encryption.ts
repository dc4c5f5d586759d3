import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed key that no configured encryption key opens: start-up stops with this message, no stack. */
export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
}

/**
 * AES-256-GCM envelope for private keys at rest. The kid is bound as additional authenticated data, so a
 * ciphertext copied onto another key's row fails to open instead of silently swapping keys.
 */
export class KeyEncryption {
  /** @param keys the current key first, then any previous key still accepted for decryption. */
  constructor(private readonly keys: Buffer[]) {
    if (keys.length === 0 || keys.some((key) => key.length < 32)) {
      throw new Error('KeyEncryption needs 256-bit keys');
    }
  }

  seal(plaintext: Buffer, kid: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0].subarray(0, 32), iv);
    cipher.setAAD(Buffer.from(kid));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  /** Opens a sealed key; `keyIndex` tells which configured key worked (0 = current) so callers can re-wrap. */
  open(sealed: string, kid: string): { plaintext: Buffer; keyIndex: number } {
    const [version, encoded] = sealed.split('.');
    if (version !== VERSION || !encoded) throw new KeyDecryptionError(`key ${kid}: unknown envelope format`);
    const raw = Buffer.from(encoded, 'base64url');
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const ciphertext = raw.subarray(IV_BYTES + TAG_BYTES);
    for (const [keyIndex, key] of this.keys.entries()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.subarray(0, 32), iv);
        decipher.setAAD(Buffer.from(kid));
        decipher.setAuthTag(tag);
        return { plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]), keyIndex };
      } catch {
        // GCM authentication failed under this key: try the next configured one.
      }
    }
    throw new KeyDecryptionError(
      `Cannot decrypt signing key ${kid}: KEY_ENCRYPTION_KEY is not the key it was sealed with. ` +
        'Restore the right key, or set the old one as KEY_ENCRYPTION_KEY_PREVIOUS while changing keys.',
    );
  }
}
