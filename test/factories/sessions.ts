import type { Response } from 'supertest';
import { RefreshToken } from '../../src/sessions/entities/refresh-token.entity';
import { hashRefreshToken } from '../../src/sessions/refresh-token-secret';
import { setCookies } from '../helpers/cookies';
import type { TestApp } from '../helpers/test-app';
import { bearerFrom, CookieSession, cookieSessionFrom, TEST_USER_AGENT } from './users';

export function refreshBearer(t: TestApp, refreshToken: string, userAgent = TEST_USER_AGENT) {
  return t.http().post('/api/auth/refresh').set('User-Agent', userAgent).send({ transport: 'bearer', refreshToken });
}

/**
 * Fires `count` refreshes with one refresh token at once and checks the invariant shared by every
 * database: exactly one wins, nobody gets a 5xx, and the winner's tokens die with the session (reuse).
 */
export async function expectSingleWinnerOfRefreshRace(t: TestApp, refreshToken: string, count = 20) {
  const responses = await Promise.all(Array.from({ length: count }, () => refreshBearer(t, refreshToken)));
  const statuses = responses.map((response) => response.status);
  expect(statuses.filter((status) => status === 200)).toHaveLength(1);
  expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
  const winner = bearerFrom(responses.find((response) => response.status === 200)!);
  await refreshBearer(t, winner.refreshToken).expect(401);
  await t.http().get('/api/users/me').set(winner.headers).expect(401);
}

/**
 * The same race with REFRESH_REUSE_GRACE on: one winner plus at most one grace retry succeed, nobody gets a
 * 5xx, and the family stays consistent: one root, one child per success (a grace retry supersedes the
 * winner's child), no second grace claim.
 */
export async function expectGraceRaceConsistent(t: TestApp, refreshToken: string, count = 20) {
  const responses = await Promise.all(Array.from({ length: count }, () => refreshBearer(t, refreshToken)));
  const statuses = responses.map((response) => response.status);
  expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
  const successes = statuses.filter((status) => status === 200).length;
  expect(successes).toBeGreaterThanOrEqual(1);
  expect(successes).toBeLessThanOrEqual(2);

  const presented = await t.dataSource
    .getRepository(RefreshToken)
    .findOneByOrFail({ tokenHash: hashRefreshToken(refreshToken) });
  const family = await t.dataSource.getRepository(RefreshToken).findBy({ sessionId: presented.sessionId });
  const children = family.filter((token) => token.parentId === presented.id);
  expect(family.filter((token) => token.parentId === null)).toEqual([presented]);
  expect(children).toHaveLength(successes);
  expect(family).toHaveLength(1 + successes);
  expect(children.filter((token) => token.supersededAt !== null)).toHaveLength(successes - 1);
  expect(presented.graceUsedAt !== null).toBe(successes === 2);
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
