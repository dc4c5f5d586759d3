import type { Response } from 'supertest';
import { setCookies } from '../helpers/cookies';
import type { TestApp } from '../helpers/test-app';
import { BearerSession, CookieSession, cookieSessionFrom, TEST_USER_AGENT } from './users';

export function refreshBearer(t: TestApp, refreshToken: string, userAgent = TEST_USER_AGENT) {
  return t.http().post('/api/auth/refresh').set('User-Agent', userAgent).send({ transport: 'bearer', refreshToken });
}

export function bearerFrom(response: Response, userAgent = TEST_USER_AGENT): BearerSession {
  const body = response.body as { accessToken: string; refreshToken: string };
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    userAgent,
    headers: { Authorization: `Bearer ${body.accessToken}`, 'User-Agent': userAgent },
  };
}

/** A browser's refresh: the cookies of `session` plus its CSRF token in the header. */
/** `csrfToken: null` sends no X-CSRF-Token header at all. */
export function refreshCookie(t: TestApp, session: CookieSession, csrfToken: string | null = session.csrfToken) {
  const request = t.http().post('/api/auth/refresh').set('User-Agent', session.userAgent).set('Cookie', session.cookie);
  return csrfToken === null ? request : request.set('X-CSRF-Token', csrfToken);
}

/** The browser's cookie jar after a refresh response: changed cookies replaced, the rest kept. */
export function cookieSessionAfter(response: Response, previous: CookieSession): CookieSession {
  const cookies = setCookies(response);
  return cookieSessionFrom(
    response.body as { csrfToken: string; accessTokenExpiresAt: string },
    {
      access: cookies['__Host-access']?.value ?? previous.access,
      fingerprint: cookies['__Host-fgp']?.value ?? previous.fingerprint,
      refresh: cookies['__Secure-refresh']?.value ?? previous.refresh,
    },
    previous.userAgent,
  );
}
