import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { KeyStore } from '../../src/keys/key-store.service';
import type { TestApp } from '../helpers/test-app';

/** Hand-made JWTs for attack tests: whatever header, payload and signature an attacker would send. */
export function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

export function unsigned(header: unknown, payload: unknown, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

export function hs256(header: Record<string, unknown>, payload: unknown, secret: string | Buffer): string {
  const input = `${b64url({ ...header, alg: 'HS256' })}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** ES256 with a JOSE (r||s) signature, for tokens signed by an attacker's own key. */
export function es256(header: Record<string, unknown>, payload: unknown, privateKey: KeyObject): string {
  const input = `${b64url({ ...header, alg: 'ES256' })}.${b64url(payload)}`;
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export function attackerKeyPair() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

export function publicKeyPemFromJwk(jwk: Record<string, string>): string {
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
}

export { createPrivateKey };

/**
 * Signs already-encoded segments with the app's own active key (ES256 by default), for tokens only a
 * server bug or a stolen key could produce: claims in the future, segments in a non-canonical spelling.
 */
export function signWithServerKey(t: TestApp, headerSegment: string, payloadSegment: string): string {
  const input = `${headerSegment}.${payloadSegment}`;
  const { privateKey } = t.app.get(KeyStore).activeSigningKey();
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The same bytes spelled differently: the lowest unused bit of the last character flipped. Needs a segment
 * whose length is not a multiple of 4 (only those have unused bits).
 */
export function respelled(segment: string): string {
  const last = BASE64URL_ALPHABET.indexOf(segment.at(-1)!);
  const changed = segment.slice(0, -1) + BASE64URL_ALPHABET[last ^ 1];
  if (segment.length % 4 === 0 || !Buffer.from(changed, 'base64url').equals(Buffer.from(segment, 'base64url'))) {
    throw new Error(`no other spelling of ${segment}`);
  }
  return changed;
}
