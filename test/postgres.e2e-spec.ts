import { MAX_KNOWN_DEVICES_PER_USER } from '../src/known-devices/known-devices.service';
import { IsNull } from 'typeorm';
import { KnownDevice } from '../src/known-devices/entities/known-device.entity';
import { Session } from '../src/sessions/entities/session.entity';
import { expectGraceRaceConsistent, expectSingleWinnerOfRefreshRace, refreshCookie } from './factories/sessions';
import { cookieHeader } from './helpers/cookies';
import { User } from '../src/users/entities/user.entity';
import { bearerFrom, loginBearer, loginCookie, registerUser, TEST_USER_AGENT } from './factories/users';
import { dpopClient, type DpopClient, dpopGet, loginDpop } from './helpers/dpop';
import { postgres } from './helpers/databases';
import { type AuditItem, bodyOf, type Page } from './helpers/api';
import type { TestApp } from './helpers/test-app';

/**
 * The same flows on PostgreSQL, the database for several instances behind a load balancer. The race test
 * matters most here: concurrent refreshes really run in parallel on separate connections.
 */
describe('on PostgreSQL', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await postgres.start();
  });
  afterAll(() => t?.close());

  it('registers, logs in with both transports and makes no second account for a taken email', async () => {
    const user = await registerUser(t);
    await t
      .http()
      .post('/api/auth/register')
      .send({ email: user.email.toUpperCase(), password: user.password })
      .expect(202);
    expect(await t.dataSource.getRepository(User).countBy({ email: user.email })).toBe(1);
    const bearer = await loginBearer(t, user);
    await t.http().get('/api/users/me').set(bearer.headers).expect(200);
    const cookie = await loginCookie(t, user);
    await t.http().get('/api/users/me').set(cookie.headers).expect(200);
    const sessions = await t.http().get('/api/auth/sessions').set(bearer.headers).expect(200);
    expect(sessions.body).toHaveLength(2);
  });

  it('binds the refresh cookie to its fingerprint cookie, and caps known devices per user', async () => {
    const user = await registerUser(t);
    const browser = await loginCookie(t, user);
    const lifted = () =>
      t
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', browser.userAgent)
        .set('Cookie', cookieHeader({ '__Secure-refresh': browser.refresh }))
        .set('X-CSRF-Token', browser.csrfToken);
    await lifted().expect(401);
    await refreshCookie(t, browser).expect(200);

    for (let i = 0; i <= MAX_KNOWN_DEVICES_PER_USER; i++) await loginBearer(t, user, `Agent${i}/1.0`);
    expect(await t.dataSource.getRepository(KnownDevice).countBy({ userId: user.id })).toBe(MAX_KNOWN_DEVICES_PER_USER);
    // ... and live sessions (MAX_SESSIONS_PER_USER, 10 by default).
    const live = await t.dataSource.getRepository(Session).countBy({ userId: user.id, revokedAt: IsNull() });
    expect(live).toBe(10);
  });

  it('binds a DPoP session to its key: the refresh needs a proof by it', async () => {
    const client = await dpopClient();
    const session = await loginDpop(t, await registerUser(t), client);
    expect((await dpopGet(t, '/api/users/me', session)).status).toBe(200);
    const refresh = async (by: DpopClient) =>
      t
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', TEST_USER_AGENT)
        .set('DPoP', await by.proof('POST', `${t.baseUrl}/api/auth/refresh`))
        .send({ transport: 'bearer', refreshToken: session.refreshToken });
    expect((await refresh(await dpopClient())).status).toBe(401);
    expect((await refresh(client)).status).toBe(200);
  });

  it('session policy: a password change replaces the tokens; disable and the global cut-off end sessions', async () => {
    const user = await registerUser(t);
    const before = await loginBearer(t, user);
    const changed = await t
      .http()
      .post('/api/users/me/password')
      .set(before.headers)
      .send({ currentPassword: user.password, newPassword: 'saffron-lighthouse-ridge-31' })
      .expect(200);
    const after = bearerFrom(changed);
    await t.http().get('/api/users/me').set(before.headers).expect(401);
    await t.http().get('/api/users/me').set(after.headers).expect(200);

    const { session: admin } = await adminSession();
    await t.http().post(`/api/admin/users/${user.id}/disable`).set(admin.headers).expect(201);
    await t.http().get('/api/users/me').set(after.headers).expect(401);
    const other = await loginBearer(t, await registerUser(t));
    await t.http().post('/api/admin/sessions/revoke-all').set(admin.headers).expect(201);
    await t.http().get('/api/users/me').set(other.headers).expect(401);
    await t.http().get('/api/users/me').set(admin.headers).expect(401);
  });

  it('20 concurrent refreshes with one token: exactly one succeeds and the family is revoked', async () => {
    const session = await loginBearer(t, await registerUser(t));
    await expectSingleWinnerOfRefreshRace(t, session.refreshToken);
  });

  it.each([
    ['a NUL byte in the email', { email: 'a\u0000@example.test', password: 'whatever-password' }],
    ['a control character in the email', { email: 'a\u0007@example.test', password: 'whatever-password' }],
    ['a NUL byte in the password', { email: 'someone@example.test', password: 'pass\u0000word-long-enough' }],
  ])('answers odd input such as %s without a 5xx', async (_case, body) => {
    // A password may hold any character (it is hashed, never stored); an email with control characters is a 400.
    for (const path of ['/api/auth/register', '/api/auth/login']) {
      const response = await t.http().post(path).send(body);
      expect(response.status).toBeLessThan(500);
    }
  });

  it('stores audit events and revocations', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    await t.http().post('/api/auth/logout').set(session.headers).send({}).expect(204);
    await t.http().get('/api/users/me').set(session.headers).expect(401);
    const types = (await t.auditEvents({ userId: user.id })).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['register', 'login', 'logout', 'access_token_rejected']));
  });

  /** promoteToAdmin's SQL is SQLite's; the same grant with PostgreSQL placeholders. */
  async function adminSession() {
    const user = await registerUser(t);
    await t.dataSource.query('UPDATE users SET roles = $1 WHERE id = $2', [JSON.stringify(['user', 'admin']), user.id]);
    return { session: await loginBearer(t, user) };
  }

  it.each([
    ['a date PostgreSQL cannot store', ['-271821-04-20T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']],
    ['a non-canonical date', ['2024-01-01', '00000000-0000-4000-8000-000000000000']],
    ['an impossible date', ['2024-02-30T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']],
    ['a non-UUID id', ['2024-01-01T00:00:00.000Z', "x' OR '1'='1"]],
    ['an id of the wrong type', ['2024-01-01T00:00:00.000Z', 42]],
  ])('refuses a forged audit cursor with %s: 400, not 500', async (_case, forged) => {
    const { session } = await adminSession();
    const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
    const response = await t.http().get(`/api/admin/audit?cursor=${cursor}`).set(session.headers);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it.each([
    ['a basic-format date-time', 'since=20240101T000000Z'],
    ['a week date', 'since=2024-W01-1'],
    ['an ordinal date', 'until=2024-001'],
    ['an impossible day', 'until=2026-02-31'],
    ['an out-of-range year', 'since=-271821-04-20T00:00:00.000Z'],
  ])('refuses %s as a filter date: 400, not 500', async (_case, query) => {
    const { session } = await adminSession();
    for (const path of ['/api/admin/audit', '/api/admin/alerts']) {
      const response = await t.http().get(`${path}?${query}`).set(session.headers);
      expect(response.status).toBe(400);
    }
  });

  it('accepts a date and a date-time with an offset as filters', async () => {
    const { session } = await adminSession();
    await t
      .http()
      .get('/api/admin/audit?since=2020-01-01&until=2999-01-01T00:00:00%2B02:00')
      .set(session.headers)
      .expect(200);
  });

  it('pages with a real cursor', async () => {
    const { session } = await adminSession();
    const first = await t.http().get('/api/admin/audit?limit=2').set(session.headers).expect(200);
    const next = await t
      .http()
      .get(`/api/admin/audit?limit=2&cursor=${bodyOf<Page<AuditItem>>(first).nextCursor}`)
      .set(session.headers);
    expect(next.status).toBe(200);
  });
});

describe('on PostgreSQL with a refresh grace window', () => {
  it('keeps concurrent refreshes consistent: at most one grace retry, a consistent family, no 5xx', async () => {
    const t = await postgres.start({ env: { REFRESH_REUSE_GRACE: '10s' } });
    try {
      for (let round = 0; round < 5; round++) {
        const session = await loginBearer(t, await registerUser(t));
        await expectGraceRaceConsistent(t, session.refreshToken);
      }
    } finally {
      await t.close();
    }
  });
});
