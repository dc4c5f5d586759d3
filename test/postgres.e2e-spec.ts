import { expectSingleWinnerOfRefreshRace } from './factories/sessions';
import { loginBearer, loginCookie, registerUser } from './factories/users';
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
});
