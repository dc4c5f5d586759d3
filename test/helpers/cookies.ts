import type { Response } from 'supertest';

export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

/** Parses Set-Cookie headers (supertest's agent would drop Secure cookies over plain HTTP). */
export function setCookies(response: Response): Record<string, SetCookie> {
  const header = response.headers['set-cookie'] as unknown as string[] | string | undefined;
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const cookies: Record<string, SetCookie> = {};
  for (const line of lines) {
    const [pair, ...rest] = line.split(';').map((part) => part.trim());
    const index = pair.indexOf('=');
    const name = pair.slice(0, index);
    const attributes: Record<string, string | true> = {};
    for (const attribute of rest) {
      const [key, ...value] = attribute.split('=');
      attributes[key.toLowerCase()] = value.length > 0 ? value.join('=') : true;
    }
    cookies[name] = { name, value: decodeURIComponent(pair.slice(index + 1)), attributes };
  }
  return cookies;
}

/** A Cookie request header from name/value pairs; undefined values are left out. */
export function cookieHeader(cookies: Record<string, string | undefined>): string {
  return Object.entries(cookies)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value as string)}`)
    .join('; ');
}
