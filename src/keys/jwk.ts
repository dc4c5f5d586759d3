import { createHash, generateKeyPairSync, JsonWebKey, KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from './jwt.config';

export interface GeneratedKeyPair {
  kid: string;
  alg: SigningAlgorithm;
  publicJwk: Record<string, string>;
  privateKey: KeyObject;
}

/** ES256 uses P-256; the RSA algorithms use 3072-bit moduli (NIST SP 800-57: 128-bit security). */
export function generateSigningKeyPair(alg: SigningAlgorithm): GeneratedKeyPair {
  const { publicKey, privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 3072 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { kid: jwkThumbprint(jwk), alg, publicJwk: publicMembers(jwk), privateKey };
}

/** RFC 7638: SHA-256 over the required public members, in lexicographic order, without white space. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const required =
    jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

/** Only the public members survive: a private `d`, `p`, `q`... can never reach the JWKS by accident. */
function publicMembers(jwk: JsonWebKey): Record<string, string> {
  const names = jwk.kty === 'EC' ? ['kty', 'crv', 'x', 'y'] : ['kty', 'n', 'e'];
  return Object.fromEntries(names.map((name) => [name, String(jwk[name])]));
}
