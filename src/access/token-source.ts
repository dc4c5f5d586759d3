import type { Request } from 'express';

/**
 * `__Host-` cookies must be Secure, Path=/ and have no Domain, so no subdomain can plant or read them.
 * The refresh cookie needs a narrower path, which `__Host-` forbids, hence `__Secure-` and Path=/api/auth:
 * it travels only to the endpoints that use it.
 */
export const ACCESS_COOKIE = '__Host-access';
export const FINGERPRINT_COOKIE = '__Host-fgp';
export const REFRESH_COOKIE = '__Secure-refresh';
export const REFRESH_COOKIE_PATH = '/api/auth';
/**
 * Not a credential: `1` while the browser holds a session, readable by the page (not HttpOnly) so that a
 * page load without a session makes no request that can only fail. It lives as long as the refresh cookie
 * and is cleared with it; forging or deleting it earns nothing but one failed (or skipped) refresh.
 */
export const SESSION_HINT_COOKIE = '__Host-session-hint';

/** How the access token arrived: cookie requests are subject to CSRF checks, bearer requests are not. */
export type Transport = 'cookie' | 'bearer';

/** `scheme` is the Authorization scheme: `DPoP` (RFC 9449 §7.1) says a proof of possession comes along. */
export type TokenSource =
  | { token: string; transport: Extract<Transport, 'bearer'>; scheme: 'Bearer' | 'DPoP' }
  | { token: string; transport: Extract<Transport, 'cookie'>; scheme?: undefined }
  | undefined;

const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*\.[A-Za-z0-9_=-]*)$/;

/**
 * Where the access token may come from: the Authorization header or the access cookie, nowhere else
 * (never a query string, which ends up in logs and Referer headers). A present Authorization header
 * wins, and a malformed one is not silently replaced by the cookie.
 */
export function accessTokenSource(request: Request): TokenSource {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = AUTHORIZATION.exec(authorization);
    return match ? { token: match[2], transport: 'bearer', scheme: match[1] as 'Bearer' | 'DPoP' } : undefined;
  }
  const cookie = (request.cookies as Record<string, unknown> | undefined)?.[ACCESS_COOKIE];
  return typeof cookie === 'string' && cookie.length > 0 ? { token: cookie, transport: 'cookie' } : undefined;
}

export function readCookie(request: Request, name: string): string | undefined {
  const value = (request.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
