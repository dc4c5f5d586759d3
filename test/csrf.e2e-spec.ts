import { bodyOf } from './helpers/api';
import { cookieHeader } from './helpers/cookies';
import { refreshCookie } from './factories/sessions';
import { CookieSession, loginBearer, loginCookie, registerUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * A cross-site page can make the browser send cookies, but it cannot read responses or set custom headers.
 * Each attack below is such a request; each must be refused with 403 and change nothing.
 */
describe('CSRF defense', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example.test' } });
  });
  afterAll(() => t.close());

  const alive = (session: CookieSession) => t.http().get('/api/users/me').set(session.headers).expect(200);

  const logoutAll = (session: CookieSession, headers: Record<string, string | undefined>) => {
    const request = t
      .http()
      .post('/api/auth/logout-all')
      .set('Cookie', session.cookie)
      .set('User-Agent', session.userAgent);
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) request.set(name, value);
    return request;
  };

  it.each([
    ['a missing token', () => ({})],
    ['a wrong token', () => ({ 'X-CSRF-Token': 'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })],
    ['a garbage token', () => ({ 'X-CSRF-Token': 'garbage' })],
  ])('refuses %s with 403 and keeps the session', async (_case, headers) => {
    const session = await loginCookie(t, await registerUser(t));
    const response = await logoutAll(session, headers()).expect(403);
    expect(response.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'CSRF check failed' });
    await alive(session);
    await refreshCookie(t, session).expect(200);
  });

  it.each([
    ['a valid token with a third part', (token: string) => `${token}.extra`],
    ['a signature of the wrong length', (token: string) => `${token.split('.')[0]}.c2hvcnQ`],
    ['a token over 200 characters', (token: string) => `${token}${'A'.repeat(200)}`],
  ])('refuses %s with 403, never a 500', async (_case, alter) => {
    const session = await loginCookie(t, await registerUser(t));
    await logoutAll(session, { 'X-CSRF-Token': alter(session.csrfToken) }).expect(403);
    await alive(session);
  });

  it('audits why (bad_token or missing_token) with the method and path', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    await logoutAll(session, { 'X-CSRF-Token': 'garbage' }).expect(403);
    await logoutAll(session, {}).expect(403);
    const events = await t.auditEvents({ type: 'csrf_rejected', userId: user.id });
    expect(events.map(({ reason, metadata }) => ({ reason, metadata }))).toEqual([
      { reason: 'bad_token', metadata: { method: 'POST', path: '/api/auth/logout-all' } },
      { reason: 'missing_token', metadata: { method: 'POST', path: '/api/auth/logout-all' } },
    ]);
  });

  it('asks nothing of safe methods: a cookie GET, HEAD or OPTIONS needs no token (they change nothing)', async () => {
    const session = await loginCookie(t, await registerUser(t));
    const cookieOnly = { Cookie: session.cookie, 'User-Agent': session.userAgent };
    await t.http().get('/api/users/me').set(cookieOnly).expect(200);
    await t.http().head('/api/users/me').set(cookieOnly).expect(200);
    const options = await t.http().options('/api/users/me').set(cookieOnly);
    expect(options.status).not.toBe(403);
  });

  it('refuses the token of another session of the same user', async () => {
    const user = await registerUser(t);
    const victim = await loginCookie(t, user, 'victim');
    const other = await loginCookie(t, user, 'victim');
    await logoutAll(victim, { 'X-CSRF-Token': other.csrfToken }).expect(403);
    await alive(victim);
  });

  it('refuses a hostile Origin even with a valid token', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    await logoutAll(session, { 'X-CSRF-Token': session.csrfToken, Origin: 'https://evil.example' }).expect(403);
    await alive(session);
    // This user's events only: the refusal of the test before may carry the same millisecond, and PostgreSQL
    // returns rows of one timestamp in no set order.
    const events = await t.auditEvents({ type: 'csrf_rejected', userId: user.id });
    expect(events).toMatchObject([{ reason: 'origin_not_allowed', success: false }]);
  });

  it('accepts the valid token from the same origin or an allowed origin', async () => {
    const a = await loginCookie(t, await registerUser(t));
    await logoutAll(a, { 'X-CSRF-Token': a.csrfToken, Origin: t.baseUrl }).expect(204);
    const b = await loginCookie(t, await registerUser(t));
    await logoutAll(b, { 'X-CSRF-Token': b.csrfToken, Origin: 'https://app.example.test' }).expect(204);
    const c = await loginCookie(t, await registerUser(t));
    await logoutAll(c, { 'X-CSRF-Token': c.csrfToken }).expect(204);
  });

  it('protects refresh: the refresh cookie alone does not rotate the session', async () => {
    const session = await loginCookie(t, await registerUser(t));
    await refreshCookie(t, session, null).expect(403);
    await refreshCookie(t, session, 'garbage').expect(403);
    const stranger = await loginCookie(t, await registerUser(t));
    await refreshCookie(t, session, stranger.csrfToken).expect(403);
    // Nothing was spent: the genuine refresh still works, and is not mistaken for reuse.
    await refreshCookie(t, session).expect(200);
  });

  it('protects logout and password change', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    const noCsrf = { Cookie: session.cookie, 'User-Agent': session.userAgent };
    await t.http().post('/api/auth/logout').set(noCsrf).expect(403);
    await t
      .http()
      .post('/api/users/me/password')
      .set(noCsrf)
      .send({ currentPassword: user.password, newPassword: 'another-long-passphrase' })
      .expect(403);
    await alive(session);
    await t.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
  });

  it("GET /api/auth/csrf issues a working token for the refresh cookie's session, and 401 without one", async () => {
    const session = await loginCookie(t, await registerUser(t));
    const csrf = () =>
      t
        .http()
        .get('/api/auth/csrf')
        .set('User-Agent', session.userAgent)
        .set('Cookie', cookieHeader({ '__Secure-refresh': session.refresh, '__Host-fgp': session.fingerprint }));
    const response = await csrf().expect(200);
    expect(response.body).toEqual({ csrfToken: expect.any(String) });
    const { csrfToken } = bodyOf<{ csrfToken: string }>(response);
    expect(csrfToken).not.toBe(session.csrfToken);
    await logoutAll(session, { 'X-CSRF-Token': csrfToken }).expect(204);
    await t.http().get('/api/auth/csrf').expect(401);
    await csrf().expect(401);
  });

  it('does not apply to bearer requests, which carry no ambient credential', async () => {
    const session = await loginBearer(t, await registerUser(t));
    await t.http().post('/api/auth/logout-all').set(session.headers).expect(204);
  });

  it('refuses a cross-origin login attempt (login CSRF), audited without a user', async () => {
    const user = await registerUser(t);
    await t
      .http()
      .post('/api/auth/login')
      .set('Origin', 'https://evil.example')
      .send({ email: user.email, password: user.password })
      .expect(403);
    const [event] = (await t.auditEvents({ type: 'csrf_rejected', reason: 'origin_not_allowed' })).filter(
      (row) => row.userId === null,
    );
    expect(event).toMatchObject({
      success: false,
      metadata: { method: 'POST', path: '/api/auth/login', origin: 'https://evil.example' },
    });
  });
});
