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
  if (looksTyped(trimmed, bytes)) {
    return { problem: 'looks like typed words, not the encoding of random bytes' };
  }
  return { bytes };
}

/**
 * A passphrase is not a key, even when it happens to be valid base64 of 32 bytes
 * (`ThisIsMyVerySecretProductionKeyForWardenApp`). Two tests, each cheap and each calibrated so a real
 * secret (base64 of uniformly random bytes) is refused with probability below 1e-9:
 *
 * 1. The text is letters only and at least half of it is lowercase e, t, a, o, i, n, s, h, r (the most
 *    frequent letters of English; ~50-75% of CamelCase or lowercase prose). Each character of random
 *    base64 is one of those 9 with p = 9/64 and another letter with p = 43/64, so for 43 characters
 *    P = Σ_{j≥22} C(43,j)·(9/64)^j·(43/64)^(43-j) ≈ 5.5e-11 (7.5e-11 at 44 characters, less beyond).
 * 2. More than 90% of the decoded bytes are printable ASCII (0x20-0x7e): someone base64-encoded a
 *    passphrase. A random byte is printable with p = 95/256, so for 32 bytes
 *    P(≥ 29 printable) = Σ_{j≥29} C(32,j)·(95/256)^j·(161/256)^(32-j) ≈ 4.3e-10 (less for longer secrets).
 *
 * Together: < 5.1e-10 per generated secret. Prose written with digits or punctuation can slip through;
 * this is a net for the common mistake, not a strength meter.
 */
function looksTyped(text: string, bytes: Buffer): boolean {
  if (/^[A-Za-z]+$/.test(text) && (text.match(/[etaoinshr]/g)?.length ?? 0) * 2 >= text.length) return true;
  const printable = bytes.filter((byte) => byte >= 0x20 && byte <= 0x7e).length;
  return printable > bytes.length * 0.9;
}
