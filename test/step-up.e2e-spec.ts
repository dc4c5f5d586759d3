import { type BearerStepUp, bodyOf, type CookieStepUp, messageOf, type SessionRow } from './helpers/api';
import { cookieHeader, setCookies } from './helpers/cookies';
import { decodeJwt } from './helpers/jwt';
import { createTestApp, TestApp } from './helpers/test-app';
import { enrolTotp, loginBearerWithTotp } from './factories/mfa';
import {
  adminSession,
  bearerFrom,
  type BearerSession,
  loginBearer,
  loginCookie,
  registerUser,
  TEST_USER_AGENT,
} from './factories/users';

const ELEVEN_MINUTES = 11 * 60_000;

describe('step-up: @RequiresRecentAuth() on sensitive actions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const stepUp = (session: BearerSession, body: Record<string, unknown>) =>
    t.http().post('/api/auth/step-up').set(session.headers).send(body);

  function expectStepUpRequired(response: { status: number; body: unknown; headers: Record<string, string> }): void {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'This action needs a recent authentication: confirm it is you (POST /api/auth/step-up)',
      code: 'insufficient_user_authentication',
      maxAge: 600,
    });
    // RFC 9470 §3: the challenge a standard OAuth client understands.
    expect(response.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age=600');
  }

  const sensitive: Array<
    [string, (session: BearerSession, password: string) => Promise<import('supertest').Response>]
  > = [
    ['POST /api/auth/logout-all', (s) => t.http().post('/api/auth/logout-all').set(s.headers)],
    [
      'POST /api/users/me/password',
      (s, password) =>
        t
          .http()
          .post('/api/users/me/password')
          .set(s.headers)
          .send({ currentPassword: password, newPassword: 'a-new-strong-passphrase-9' }),
    ],
    ['POST /api/auth/mfa/totp', (s) => t.http().post('/api/auth/mfa/totp').set(s.headers)],
    ['POST /api/auth/mfa/recovery-codes', (s) => t.http().post('/api/auth/mfa/recovery-codes').set(s.headers)],
    ['POST /api/auth/mfa/passkeys/options', (s) => t.http().post('/api/auth/mfa/passkeys/options').set(s.headers)],
  ];

  it.each(sensitive)('%s: refused 11 minutes after the login, allowed after a step-up', async (_route, call) => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    t.clock.advance(ELEVEN_MINUTES);
    expectStepUpRequired(await call(session, user.password));
    const events = await t.auditEvents({ userId: user.id, type: 'step_up_required' });
    expect(events).toHaveLength(1);
    // Nothing was done: the session still works.
    await t.http().get('/api/users/me').set(session.headers).expect(200);

    const stepped = await stepUp(session, { password: user.password }).expect(200);
    const fresh = {
      ...session,
      headers: { ...session.headers, Authorization: `Bearer ${bodyOf<BearerStepUp>(stepped).accessToken}` },
    };
    // Past the guard: the action's own answer (recovery codes without a factor are a 400, not a 401).
    const response = await call(fresh, user.password);
    expect(response.status).not.toBe(401);
    expect(response.status).toBeLessThan(500);
  });

  it('DELETE /api/auth/sessions/:id and the admin API need a recent authentication too', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const other = await loginBearer(t, user, 'OtherDevice/1.0');
    const sessions = await t.http().get('/api/auth/sessions').set(session.headers).expect(200);
    const otherId = bodyOf<SessionRow[]>(sessions).find((s) => !s.current)!.id;
    const { user: admin, session: adminSessionTokens } = await adminSession(t);
    t.clock.advance(ELEVEN_MINUTES);
    expectStepUpRequired(await t.http().delete(`/api/auth/sessions/${otherId}`).set(session.headers));
    await t.http().get('/api/users/me').set(other.headers).expect(200);
    expectStepUpRequired(await t.http().get('/api/admin/audit').set(adminSessionTokens.headers));
    expectStepUpRequired(
      await t.http().post(`/api/admin/users/${user.id}/revoke-sessions`).set(adminSessionTokens.headers),
    );
    await t.http().get('/api/users/me').set(session.headers).expect(200);
    // The admin steps up and acts.
    const stepped = await stepUp(adminSessionTokens, { password: admin.password }).expect(200);
    await t
      .http()
      .get('/api/admin/audit')
      .set({ ...adminSessionTokens.headers, Authorization: `Bearer ${bodyOf<BearerStepUp>(stepped).accessToken}` })
      .expect(200);
  });

  it('the step-up token keeps the session, and carries the new auth_time; routes without the decorator do not care', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const before = decodeJwt(session.accessToken).payload;
    t.clock.advance(ELEVEN_MINUTES);
    await t.http().get('/api/auth/sessions').set(session.headers).expect(200);
    const stepped = bodyOf<BearerStepUp>(await stepUp(session, { password: user.password }).expect(200));
    expect(Object.keys(stepped).sort()).toEqual(['accessToken', 'authTime', 'expiresIn', 'tokenType']);
    const after = decodeJwt(stepped.accessToken).payload;
    expect(after.sid).toBe(before.sid);
    expect(after.auth_time).toBe(t.clock.nowSeconds());
    expect(after.auth_time).toBeGreaterThan(before.auth_time as number);
    // The old token is still a valid token of the session, but not recent enough.
    expectStepUpRequired(await t.http().post('/api/auth/logout-all').set(session.headers));
    // A refresh keeps the step-up's auth_time (the session remembers it).
    const refreshed = await t
      .http()
      .post('/api/auth/refresh')
      .set('User-Agent', TEST_USER_AGENT)
      .send({ transport: 'bearer', refreshToken: session.refreshToken })
      .expect(200);
    expect(decodeJwt(bearerFrom(refreshed).accessToken).payload.auth_time).toBe(after.auth_time);
    expect((await t.auditEvents({ userId: user.id, type: 'step_up' }))[0].metadata).toEqual({ method: 'pwd' });
  });

  it('a wrong password does not step up, is audited, and counts toward the lockout', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    t.clock.advance(ELEVEN_MINUTES);
    const refused = await stepUp(session, { password: 'not-the-password-at-all' }).expect(401);
    expect(messageOf(refused)).toBe('The confirmation was not accepted');
    expect((await t.auditEvents({ userId: user.id, type: 'step_up_failed' }))[0].reason).toBe('bad_pwd');
    for (let i = 0; i < 9; i++) await stepUp(session, { password: 'not-the-password-at-all' }).expect(401);
    await stepUp(session, { password: user.password }).expect(429);
  });

  it('an account with a second factor steps up with it, never with the password alone', async () => {
    const user = await registerUser(t);
    const { app } = await enrolTotp(t, await loginBearer(t, user));
    const session = await loginBearerWithTotp(t, user, app);
    t.clock.advance(ELEVEN_MINUTES);
    const byPassword = await stepUp(session, { password: user.password }).expect(400);
    expect(messageOf(byPassword)).toBe('This account has a second factor: confirm with it, not with the password');
    await stepUp(session, { code: '000000' }).expect(401);
    const stepped = await stepUp(session, { code: app.code() }).expect(200);
    expect(decodeJwt(bodyOf<BearerStepUp>(stepped).accessToken).payload).toMatchObject({ amr: ['pwd', 'otp', 'mfa'] });
    // The same code cannot step up twice.
    await stepUp(session, { code: app.code() }).expect(401);
  });

  it('browsers get a new access cookie (CSRF-protected like any unsafe request)', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    t.clock.advance(ELEVEN_MINUTES);
    expectStepUpRequired(await t.http().post('/api/auth/logout-all').set(session.headers));
    const { 'X-CSRF-Token': _csrf, ...withoutCsrf } = session.headers;
    await t.http().post('/api/auth/step-up').set(withoutCsrf).send({ password: user.password }).expect(403);
    const stepped = await t
      .http()
      .post('/api/auth/step-up')
      .set(session.headers)
      .send({ password: user.password })
      .expect(200);
    expect(Object.keys(bodyOf<CookieStepUp>(stepped)).sort()).toEqual(['accessTokenExpiresAt', 'authTime']);
    const cookies = setCookies(stepped);
    expect(Object.keys(cookies)).toEqual(['__Host-access']);
    expect(cookies['__Host-access'].attributes).toMatchObject({
      httponly: true,
      secure: true,
      samesite: 'Strict',
      path: '/',
    });
    const cookie = cookieHeader({
      '__Host-access': cookies['__Host-access'].value,
      '__Host-fgp': session.fingerprint,
      '__Secure-refresh': session.refresh,
    });
    await t
      .http()
      .post('/api/auth/logout-all')
      .set({ ...session.headers, Cookie: cookie })
      .expect(204);
  });

  it('STEP_UP_MAX_AGE sets the window', async () => {
    const short = await createTestApp({ env: { STEP_UP_MAX_AGE: '1m' } });
    try {
      const user = await registerUser(short);
      const session = await loginBearer(short, user);
      short.clock.advance(59_000);
      await short.http().get('/api/auth/mfa').set(session.headers).expect(200);
      await short.http().post('/api/auth/mfa/recovery-codes').set(session.headers).expect(400); // no factor: allowed to try
      short.clock.advance(2_000);
      const response = await short.http().post('/api/auth/logout-all').set(session.headers).expect(401);
      expect(response.body).toMatchObject({ code: 'insufficient_user_authentication', maxAge: 60 });
    } finally {
      await short.close();
    }
  });
});
