import { createHmac, KeyObject, sign as cryptoSign } from 'node:crypto';

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
  };
}

export function kidOf(token: string): string {
  return decodeJwt(token).header.kid as string;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs header + payload exactly as given, so tests can forge tokens a real library would refuse to make:
 * `none`, HMAC keyed with a public key, or RSA-PSS with a key made for PKCS#1 v1.5.
 */
export function forgeJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key?: KeyObject | string,
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  let signature = '';
  if (header.alg === 'HS256') {
    signature = createHmac('sha256', key as string)
      .update(input)
      .digest('base64url');
  } else if (header.alg === 'PS256') {
    signature = cryptoSign('sha256', Buffer.from(input), {
      key: key as KeyObject,
      padding: 6, // RSA_PKCS1_PSS_PADDING
      saltLength: 32,
    }).toString('base64url');
  }
  return `${input}.${signature}`;
}
