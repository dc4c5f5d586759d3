import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { AccountMailer } from '../../src/accounts/account-mailer';
import { User } from '../../src/users/entities/user.entity';
import type { TestApp } from '../helpers/test-app';
import { cookieHeader, setCookies } from '../helpers/cookies';
import { rememberSecrets } from '../helpers/secret-leaks';

export const TEST_USER_AGENT = 'WardenTest/1.0 (jest)';
export const STRONG_PASSWORD = 'violet-harbor-tundra-42';

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/**
 * Registers through the API, then marks the address verified straight in the database (what following the
 * mailed link does; test/accounts-mail.e2e-spec.ts drives that part), so the user can log in at once.
 */
export async function registerUser(
  t: TestApp,
  overrides: Partial<Omit<TestUser, 'id'>> & { verified?: boolean } = {},
): Promise<TestUser> {
  const email = overrides.email ?? `user-${randomUUID()}@example.test`;
  const password = overrides.password ?? STRONG_PASSWORD;
  rememberSecrets(password);
  await t.http().post('/api/auth/register').send({ email, password }).expect(202);
  const users = t.dataSource.getRepository(User);
  const user = await users.findOneByOrFail({ email: email.trim().toLowerCase() });
  if (overrides.verified !== false) await users.update({ id: user.id }, { emailVerifiedAt: user.createdAt });
  // The verification mail (and its `mail_sent` event) is out before the test goes on: audit order is fixed.
  await t.app.get(AccountMailer).idle();
  return { id: user.id, email, password };
}

export interface BearerSession {
  accessToken: string;
  refreshToken: string;
  userAgent: string;
  /** Headers that authenticate as this session. */
  headers: Record<string, string>;
}

export async function loginBearer(t: TestApp, user: TestUser, userAgent = TEST_USER_AGENT): Promise<BearerSession> {
  const response = await t
    .http()
    .post('/api/auth/login')
    .set('User-Agent', userAgent)
    .send({ email: user.email, password: user.password, transport: 'bearer' })
    .expect(200);
  return bearerFrom(response, userAgent);
}

/** The bearer session in a login or refresh response body. */
export function bearerFrom(response: Response, userAgent = TEST_USER_AGENT): BearerSession {
  const body = response.body as { accessToken: string; refreshToken: string };
  rememberSecrets(body.accessToken, body.refreshToken);
  return {
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    userAgent,
    headers: { Authorization: `Bearer ${body.accessToken}`, 'User-Agent': userAgent },
  };
}

export interface CookieSession {
  access: string;
  fingerprint: string;
  refresh: string;
  csrfToken: string;
  userAgent: string;
  accessTokenExpiresAt: string;
  /** The Cookie header a browser would send to /api/auth/* (all three cookies). */
  cookie: string;
  /** Headers for an authenticated cookie request, with the CSRF token. */
  headers: Record<string, string>;
}

export function cookieSessionFrom(
  body: { csrfToken: string; accessTokenExpiresAt: string },
  cookies: { access: string; fingerprint: string; refresh: string },
  userAgent: string,
): CookieSession {
  rememberSecrets(cookies.access, cookies.fingerprint, cookies.refresh, body.csrfToken);
  const cookie = cookieHeader({
    '__Host-access': cookies.access,
    '__Host-fgp': cookies.fingerprint,
    '__Secure-refresh': cookies.refresh,
  });
  return {
    ...cookies,
    csrfToken: body.csrfToken,
    accessTokenExpiresAt: body.accessTokenExpiresAt,
    userAgent,
    cookie,
    headers: { Cookie: cookie, 'X-CSRF-Token': body.csrfToken, 'User-Agent': userAgent },
  };
}

export async function loginCookie(t: TestApp, user: TestUser, userAgent = TEST_USER_AGENT): Promise<CookieSession> {
  const response = await t
    .http()
    .post('/api/auth/login')
    .set('User-Agent', userAgent)
    .send({ email: user.email, password: user.password })
    .expect(200);
  const cookies = setCookies(response);
  return cookieSessionFrom(
    response.body as { csrfToken: string; accessTokenExpiresAt: string },
    {
      access: cookies['__Host-access'].value,
      fingerprint: cookies['__Host-fgp'].value,
      refresh: cookies['__Secure-refresh'].value,
    },
    userAgent,
  );
}

/** Grants the admin role straight in the database (what `npm run cli -- user:promote` does in production). */
export async function promoteToAdmin(t: TestApp, user: TestUser): Promise<void> {
  // Through TypeORM, not raw SQL: the suite also runs on PostgreSQL (npm run test:e2e:pg-redis).
  await t.dataSource.getRepository(User).update({ id: user.id }, { roles: ['user', 'admin'] });
}

/** A new user with the admin role, logged in with the bearer transport. */
export async function adminSession(t: TestApp): Promise<{ user: TestUser; session: BearerSession }> {
  const user = await registerUser(t);
  await promoteToAdmin(t, user);
  return { user, session: await loginBearer(t, user) };
}
