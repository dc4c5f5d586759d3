import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * v2: the AES key is HKDF-derived (v1 used the first 32 bytes of the secret as is). The version is bumped
 * rather than reused so an envelope from an earlier development build says what it is instead of
 * posing as a wrong KEY_ENCRYPTION_KEY; nothing was deployed with v1, so no v1 reader is kept.
 */
const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What a KeyEncryption seals. KEY_ENCRYPTION_KEY protects more than one kind of secret; each kind derives
 * its own AES key (RFC 5869 §3.2 `info`), so a ciphertext of one kind never opens as another.
 */
export interface SealedKind {
  hkdfInfo: string;
  /** Names one sealed value in errors, from the identifier bound to it (e.g. `signing key <kid>`). */
  describe: (boundTo: string) => string;
}

/** Private signing keys, bound to their kid. */
export const SIGNING_KEYS: SealedKind = {
  hkdfInfo: 'warden/signing-key-encryption/v2',
  describe: (kid) => `signing key ${kid}`,
};

/** A sealed value that no configured encryption key opens (for a signing key, start-up stops with this message). */
export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
}

/**
 * AES-256-GCM envelope for secrets at rest under KEY_ENCRYPTION_KEY (private keys, TOTP secrets). The
 * owner's identifier (a kid, a user id) is bound as additional authenticated data, so a ciphertext copied
 * onto another row fails to open instead of silently swapping secrets.
 */
export class KeyEncryption {
  /** @param keys the current key first, then any previous key still accepted for decryption. */
  private readonly keys: Buffer[];

  constructor(
    secrets: Buffer[],
    private readonly kind: SealedKind = SIGNING_KEYS,
  ) {
    if (secrets.length === 0 || secrets.some((secret) => secret.length < 32)) {
      throw new Error('KeyEncryption needs 256-bit keys');
    }
    // HKDF-SHA256 over the whole secret (RFC 5869): every byte counts, however long the secret is.
    this.keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), kind.hkdfInfo, 32)));
  }

  seal(plaintext: Buffer, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0], iv);
    cipher.setAAD(Buffer.from(boundTo));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  /** Opens a sealed value; `keyIndex` tells which configured key worked (0 = current) so callers can re-wrap. */
  open(sealed: string, boundTo: string): { plaintext: Buffer; keyIndex: number } {
    const [version, encoded] = sealed.split('.');
    if (version !== VERSION || !encoded) {
      throw new KeyDecryptionError(
        `Cannot decrypt ${this.kind.describe(boundTo)}: envelope format ${version} is not ${VERSION} (a database from an ` +
          'earlier development build of Warden); start from a fresh database',
      );
    }
    const raw = Buffer.from(encoded, 'base64url');
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const ciphertext = raw.subarray(IV_BYTES + TAG_BYTES);
    for (const [keyIndex, key] of this.keys.entries()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(boundTo));
        decipher.setAuthTag(tag);
        return { plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]), keyIndex };
      } catch {
        // GCM authentication failed under this key: try the next configured one.
      }
    }
    throw new KeyDecryptionError(
      `Cannot decrypt ${this.kind.describe(boundTo)}: KEY_ENCRYPTION_KEY is not the key it was sealed with. ` +
        'Restore the right key, or set the old one as KEY_ENCRYPTION_KEY_PREVIOUS while changing keys.',
    );
  }
}
