import type { Response } from 'supertest';
import { expectGraceRaceConsistent, expectSingleWinnerOfRefreshRace, refreshBearer } from './factories/sessions';
import { bearerFrom, loginBearer, loginCookie, registerUser } from './factories/users';
import { freshPostgresSchema } from './helpers/postgres';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The same flows on PostgreSQL, the database for several instances behind a load balancer. The race test
 * matters most here: concurrent refreshes really run in parallel on separate connections.
 */
describe('on PostgreSQL', () => {
  let t: TestApp;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const schema = await freshPostgresSchema();
    drop = schema.drop;
    t = await createTestApp({ env: { DATABASE_URL: schema.url } });
  });
  afterAll(async () => {
    await t?.close();
    await drop?.();
  });

  it('registers, logs in with both transports and refuses a duplicate email', async () => {
    const user = await registerUser(t);
    await t
      .http()
      .post('/api/auth/register')
      .send({ email: user.email.toUpperCase(), password: user.password })
      .expect(409);
    const bearer = await loginBearer(t, user);
    await t.http().get('/api/users/me').set(bearer.headers).expect(200);
    const cookie = await loginCookie(t, user);
    await t.http().get('/api/users/me').set(cookie.headers).expect(200);
    const sessions = await t.http().get('/api/auth/sessions').set(bearer.headers).expect(200);
    expect(sessions.body).toHaveLength(2);
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

  it('pages with a real cursor', async () => {
    const { session } = await adminSession();
    const first = await t.http().get('/api/admin/audit?limit=2').set(session.headers).expect(200);
    const next = await t.http().get(`/api/admin/audit?limit=2&cursor=${first.body.nextCursor}`).set(session.headers);
    expect(next.status).toBe(200);
  });
});

describe('on PostgreSQL with a refresh grace window', () => {
  it('keeps concurrent refreshes consistent: at most one grace retry, a consistent family, no 5xx', async () => {
    const schema = await freshPostgresSchema();
    const t = await createTestApp({ env: { DATABASE_URL: schema.url, REFRESH_REUSE_GRACE: '10s' } });
    try {
      for (let round = 0; round < 5; round++) {
        const session = await loginBearer(t, await registerUser(t));
        await expectGraceRaceConsistent(t, session.refreshToken);
      }
    } finally {
      await t.close();
      await schema.drop();
    }
  });
});

describe('on PostgreSQL, credential changes racing logins', () => {
  it('leaves no session alive from a login that checked the old password while it changed', async () => {
    const schema = await freshPostgresSchema();
    const t = await createTestApp({ env: { DATABASE_URL: schema.url } });
    try {
      const victim = await registerUser(t);
      const owner = await loginBearer(t, victim, 'Owner');
      // Logins with the old password keep starting while the owner changes it.
      const logins: Promise<Response>[] = [];
      const change = t
        .http()
        .post('/api/users/me/password')
        .set(owner.headers)
        .send({ currentPassword: victim.password, newPassword: 'a-completely-new-passphrase' });
      const done = change.then(() => undefined);
      let finished = false;
      void done.then(() => (finished = true));
      while (!finished) {
        logins.push(
          t
            .http()
            .post('/api/auth/login')
            .set('User-Agent', 'Attacker/1.0')
            .send({ email: victim.email, password: victim.password, transport: 'bearer' }),
        );
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      expect((await change).status).toBe(204);
      const responses = await Promise.all(logins);
      expect(responses.every((response) => response.status === 200 || response.status === 401)).toBe(true);
      for (const response of responses.filter((r) => r.status === 200)) {
        const stolen = bearerFrom(response, 'Attacker/1.0');
        await t.http().get('/api/users/me').set(stolen.headers).expect(401);
        await refreshBearer(t, stolen.refreshToken, 'Attacker/1.0').expect(401);
      }
      await t.http().get('/api/users/me').set(owner.headers).expect(200);
    } finally {
      await t.close();
      await schema.drop();
    }
  });
});
