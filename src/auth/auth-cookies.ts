import type { CookieOptions, Response } from 'express';
import {
  ACCESS_COOKIE,
  FINGERPRINT_COOKIE,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  SESSION_HINT_COOKIE,
} from '../access/token-source';

/** Setting and clearing the browser's session cookies; their names and how they are read live in access/. */
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
