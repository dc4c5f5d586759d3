import { createHash, randomBytes } from 'node:crypto';

/** Opaque refresh tokens: 256 bits from the CSPRNG, meaningless to anyone but this server. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A fast hash is enough here (unlike passwords): the input is 256 random bits, so there is nothing to
 * brute-force, and a database leak yields no usable token.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
