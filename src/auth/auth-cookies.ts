import type { CookieOptions, Request, Response } from 'express';

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

/** `scheme` is the Authorization scheme: `DPoP` (RFC 9449 §7.1) says a proof of possession comes along. */
export type TokenSource =
  | { token: string; transport: 'bearer'; scheme: 'Bearer' | 'DPoP' }
  | { token: string; transport: 'cookie'; scheme?: undefined }
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

function baseOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, secure, sameSite: 'strict' };
}

export interface BrowserSessionCookies {
  accessToken: string;
  accessTokenMaxAgeSeconds: number;
  fingerprint: string;
  refreshToken: string;
  refreshTokenMaxAgeSeconds: number;
}

/** The three auth cookies and the session hint are always set (and renewed) together. */
export function setSessionCookies(response: Response, cookies: BrowserSessionCookies, secure: boolean): void {
  const options = baseOptions(secure);
  response.cookie(ACCESS_COOKIE, cookies.accessToken, {
    ...options,
    path: '/',
    maxAge: cookies.accessTokenMaxAgeSeconds * 1000,
  });
  // The fingerprint outlives the access token it binds: a token refreshed later is bound to the same value.
  response.cookie(FINGERPRINT_COOKIE, cookies.fingerprint, {
    ...options,
    path: '/',
    maxAge: cookies.refreshTokenMaxAgeSeconds * 1000,
  });
  response.cookie(REFRESH_COOKIE, cookies.refreshToken, {
    ...options,
    path: REFRESH_COOKIE_PATH,
    maxAge: cookies.refreshTokenMaxAgeSeconds * 1000,
  });
  response.cookie(SESSION_HINT_COOKIE, '1', {
    ...options,
    httpOnly: false,
    path: '/',
    maxAge: cookies.refreshTokenMaxAgeSeconds * 1000,
  });
}

/**
 * The first step of a two-step login: the browser gets its fingerprint cookie (the challenge is bound to
 * it, and the session will be), but no token. It lives as long as the challenge.
 */
export function setFingerprintCookie(
  response: Response,
  fingerprint: string,
  maxAgeSeconds: number,
  secure: boolean,
): void {
  response.cookie(FINGERPRINT_COOKIE, fingerprint, { ...baseOptions(secure), path: '/', maxAge: maxAgeSeconds * 1000 });
}

/** After a step-up: a fresh access token for the same session (the refresh token does not change). */
export function setAccessCookie(response: Response, accessToken: string, maxAgeSeconds: number, secure: boolean): void {
  response.cookie(ACCESS_COOKIE, accessToken, { ...baseOptions(secure), path: '/', maxAge: maxAgeSeconds * 1000 });
}

export function clearSessionCookies(response: Response, secure: boolean): void {
  const options = baseOptions(secure);
  response.clearCookie(ACCESS_COOKIE, { ...options, path: '/' });
  response.clearCookie(FINGERPRINT_COOKIE, { ...options, path: '/' });
  response.clearCookie(REFRESH_COOKIE, { ...options, path: REFRESH_COOKIE_PATH });
  response.clearCookie(SESSION_HINT_COOKIE, { ...options, httpOnly: false, path: '/' });
}
