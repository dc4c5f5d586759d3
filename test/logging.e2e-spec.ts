import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { type BearerGrant, bodyOf, type CookieGrant } from './helpers/api';
import { setCookies } from './helpers/cookies';
import { capturedLogs } from './helpers/secret-leaks';
import { UsersService } from '../src/users/users.service';
import { createTestApp, TestApp } from './helpers/test-app';
import { loginBearer, registerUser, TEST_USER_AGENT } from './factories/users';

describe('structured logs', () => {
  let t: TestApp;
  const lines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        // The suite-wide leak check reads these lines too.
        capturedLogs.write(chunk.toString('utf8'));
        done();
      },
    });
    t = await createTestApp({ env: { LOG_LEVEL: 'trace' }, logDestination: destination });
  });
  afterAll(() => t.close());

  it('never writes a password, token or cookie value, through a whole session flow', async () => {
    const user = await registerUser(t);
    const secrets: string[] = [user.password];

    const cookieLogin = await t
      .http()
      .post('/api/auth/login')
      .set('User-Agent', TEST_USER_AGENT)
      .send({ email: user.email, password: user.password })
      .expect(200);
    const cookies = setCookies(cookieLogin);
    const { csrfToken } = bodyOf<CookieGrant>(cookieLogin);
    const cookie = Object.values(cookies)
      .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
      .join('; ');
    // Every cookie but the session hint, whose value ("1") is no secret.
    const credentials = (set: ReturnType<typeof setCookies>) =>
      Object.values(set)
        .filter((c) => c.name !== '__Host-session-hint')
        .map((c) => c.value);
    secrets.push(...credentials(cookies), csrfToken);
    const browser = { Cookie: cookie, 'X-CSRF-Token': csrfToken, 'User-Agent': TEST_USER_AGENT };
    await t.http().get('/api/users/me').set(browser).expect(200);
    const refreshed = await t.http().post('/api/auth/refresh').set(browser).expect(200);
    secrets.push(...credentials(setCookies(refreshed)), bodyOf<CookieGrant>(refreshed).csrfToken);

    const bearer = await loginBearer(t, user);
    secrets.push(bearer.accessToken, bearer.refreshToken);
    await t.http().get('/api/users/me').set(bearer.headers).expect(200);
    const rotated = bodyOf<BearerGrant>(
      await t
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ transport: 'bearer', refreshToken: bearer.refreshToken })
        .expect(200),
    );
    secrets.push(rotated.accessToken, rotated.refreshToken);
    await t
      .http()
      .post('/api/auth/logout')
      .set({ Authorization: `Bearer ${rotated.accessToken}`, 'User-Agent': TEST_USER_AGENT })
      .send({ transport: 'bearer', refreshToken: rotated.refreshToken })
      .expect(204);
    await t.http().post('/api/auth/login').send({ email: user.email, password: 'a-wrong-password-99' }).expect(401);
    secrets.push('a-wrong-password-99');

    expect(lines.length).toBeGreaterThan(8);
    const log = lines.join('\n');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(log).not.toContain(secret);
      expect(log).not.toContain(encodeURIComponent(secret));
    }
    // Credential headers are not on the allow-list at all: neither their value nor a [Redacted] stands in.
    expect(log).not.toMatch(/"(authorization|cookie|x-csrf-token|set-cookie)"/);
  });

  it('logs an allow-list of headers: a secret in X-Access-Token, X-Api-Key or a proxy identity header never appears', async () => {
    lines.length = 0;
    const secret = (): string => randomBytes(24).toString('base64url');
    const headers = {
      'X-Access-Token': secret(),
      'X-Api-Key': secret(),
      'Cf-Access-Jwt-Assertion': secret(),
      'X-Amzn-Oidc-Data': secret(),
      'X-Custom-Secret': secret(),
    };
    await t.http().get('/api/health').set(headers).set('User-Agent', TEST_USER_AGENT).expect(200);
    const log = lines.join('\n');
    for (const value of Object.values(headers)) expect(log).not.toContain(value);
    const entry = lines
      .map((line) => JSON.parse(line) as { req?: { url?: string; headers?: object }; res?: { headers?: object } })
      .find((e) => e.req?.url === '/api/health' && e.res);
    expect(entry?.req?.headers).toMatchObject({ 'user-agent': TEST_USER_AGENT });
    const allowed = ['user-agent', 'host', 'content-type', 'content-length', 'origin', 'referer', 'x-request-id'];
    expect(allowed.concat('x-forwarded-for')).toEqual(expect.arrayContaining(Object.keys(entry?.req?.headers ?? {})));
    expect(['content-type', 'content-length', 'x-request-id']).toEqual(
      expect.arrayContaining(Object.keys(entry?.res?.headers ?? {})),
    );
    expect(entry?.res?.headers).toHaveProperty('x-request-id');
  });

  it('never writes a token put in the query string, nor a Proxy-Authorization header', async () => {
    const user = await registerUser(t);
    const bearer = await loginBearer(t, user);
    const proxyCredential = 'Basic cHJveHktdXNlcjpwcm94eS1zZWNyZXQ=';
    const path = `/api/users/me?access_token=${bearer.accessToken}&refreshToken=${bearer.refreshToken}`;
    await t.http().get(path).set(bearer.headers).set('Proxy-Authorization', proxyCredential).expect(200);
    await t.http().get(path).set('Proxy-Authorization', proxyCredential).expect(401);
    const logged = lines.filter((line) => line.includes('/api/users/me'));
    expect(logged.length).toBeGreaterThanOrEqual(2);
    for (const secret of [
      bearer.accessToken,
      bearer.refreshToken,
      proxyCredential,
      'cHJveHktdXNlcjpwcm94eS1zZWNyZXQ',
    ]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
    expect(logged.some((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url === '/api/users/me')).toBe(
      true,
    );
  });

  it('writes JSON lines with a request id, echoed in X-Request-Id', async () => {
    lines.length = 0;
    const response = await t.http().get('/api/health').expect(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const entry = lines
      .map((line) => JSON.parse(line) as { req?: { url?: string } })
      .find((e) => e.req?.url === '/api/health');
    expect(entry).toMatchObject({ req: { id, method: 'GET' }, res: { statusCode: 200 } });
  });

  it.each([
    ['keeps a short safe incoming id', 'edge-1234.abc_DEF', true],
    ['replaces an id with unsafe characters', 'id with spaces"}{', false],
    ['replaces an over-long id', 'x'.repeat(65), false],
  ])('%s', async (_case, incoming, kept) => {
    const response = await t.http().get('/api/health').set('X-Request-Id', incoming).expect(200);
    if (kept) expect(response.headers['x-request-id']).toBe(incoming);
    else expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unexpected error with the generic 500 body and logs its cause with the request id', async () => {
    const bearer = await loginBearer(t, await registerUser(t));
    const cause = `connection to db-7.internal lost ${randomBytes(8).toString('hex')}`;
    const failing = jest.spyOn(t.app.get(UsersService), 'getById').mockRejectedValueOnce(new Error(cause));
    lines.length = 0;
    try {
      const response = await t.http().get('/api/users/me').set(bearer.headers).expect(500);
      expect(response.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
      });
      expect(response.text).not.toContain('db-7');
      const id = response.headers['x-request-id'];
      const reports = lines
        .map((line) => JSON.parse(line) as { level: number; msg?: string; stack?: unknown; err?: unknown })
        .filter((entry) => entry.level >= 50 && JSON.stringify(entry).includes(cause));
      expect(reports).toHaveLength(1);
      expect(JSON.stringify(reports[0])).toContain(`GET /api/users/me failed (request ${id})`);
    } finally {
      failing.mockRestore();
    }
  });
});
