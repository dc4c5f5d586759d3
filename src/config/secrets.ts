import { randomBytes } from 'node:crypto';

export const MIN_SECRET_BYTES = 32;

/** The settings that hold secrets. Each may also be given as `<NAME>_FILE` (a mounted container secret). */
export const SECRET_SETTINGS = ['FINGERPRINT_SECRET', 'KEY_ENCRYPTION_KEY', 'CSRF_SECRET'] as const;
export type SecretSetting = (typeof SECRET_SETTINGS)[number];

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A fresh secret in the format every secret setting expects: 32 random bytes, base64url. */
export function generateSecret(): string {
  return randomBytes(MIN_SECRET_BYTES).toString('base64url');
}

/**
 * Decodes a base64/base64url secret and judges its strength. Anything that is not the encoding of at least
 * 256 bits, or that is visibly low-entropy (a repeated character, a placeholder), is refused: a template
 * that accepts `changeme` ships `changeme`.
 */
export function decodeSecret(value: string): { bytes: Buffer } | { problem: string } {
  const trimmed = value.trim();
  if (!BASE64.test(trimmed)) {
    return { problem: 'is not base64/base64url' };
  }
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length < MIN_SECRET_BYTES) {
    return { problem: `holds ${bytes.length * 8} bits; at least ${MIN_SECRET_BYTES * 8} are required` };
  }
  if (new Set(bytes).size < 16) {
    return { problem: 'is too repetitive to be random' };
  }
  return { bytes };
}
