import { PasswordService } from '../src/auth/password.service';
import { User } from '../src/users/entities/user.entity';
import { type ApiError, bodyOf, type CookieGrant, type Health, type Jwks, type Me } from './helpers/api';
import { setCookies } from './helpers/cookies';
import { FakeClock } from './helpers/fake-clock';
import { decodeJwt } from './helpers/jwt';
import { rawRequest } from './helpers/raw-request';
import { createTestApp, TestApp } from './helpers/test-app';
import { loginBearer, loginCookie, registerUser, STRONG_PASSWORD, TEST_USER_AGENT } from './factories/users';

describe('registration, login and the profile', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('POST /api/auth/register', () => {
    it('creates an unverified user with the user role and a normalized email, and answers 202', async () => {
      const response = await t
        .http()
        .post('/api/auth/register')
        .send({ email: '  Alice@Example.TEST ', password: STRONG_PASSWORD })
        .expect(202);
      expect(response.body).toEqual({ message: expect.stringContaining('Check your inbox') });
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: 'alice@example.test' });
      expect(user).toMatchObject({ roles: ['user'], emailVerifiedAt: null });
    });

    it('answers a taken email, whatever its case, exactly like a new one (no enumeration)', async () => {
      const first = await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'bob@example.test', password: STRONG_PASSWORD })
        .expect(202);
      const again = await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'BOB@example.test', password: STRONG_PASSWORD })
        .expect(202);
      expect(again.body).toEqual(first.body);
    });

    it.each([
      ['no body', undefined, 'email'],
      ['a malformed email', { email: 'not-an-email', password: STRONG_PASSWORD }, 'email'],
      ['an over-long email', { email: `${'a'.repeat(250)}@x.io`, password: STRONG_PASSWORD }, 'email'],
      ['a short password', { email: 'c@example.test', password: 'short-pass' }, 'password'],
      ['an over-long password', { email: 'c@example.test', password: 'x1'.repeat(65) }, 'password'],
      ['a common password', { email: 'c@example.test', password: 'password1234' }, 'password'],
      ['a repeated character', { email: 'c@example.test', password: 'aaaaaaaaaaaaaaa' }, 'password'],
      ['a non-string password', { email: 'c@example.test', password: 123456789012345 }, 'password'],
      ['a smuggled roles field', { email: 'c@example.test', password: STRONG_PASSWORD, roles: ['admin'] }, 'roles'],
    ])('answers 400 for %s', async (_case, body, field) => {
      const error = bodyOf<ApiError>(await t.http().post('/api/auth/register').send(body).expect(400));
      expect(error.statusCode).toBe(400);
      expect(error.error).toBe('Bad Request');
      expect(JSON.stringify(error.message)).toContain(field);
    });

    it('never grants a smuggled role', async () => {
      await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'mallory@example.test', password: STRONG_PASSWORD, roles: ['admin'] })
        .expect(400);
      const user = await registerUser(t, { email: 'mallory@example.test' });
      const session = await loginBearer(t, user);
      const me = await t.http().get('/api/users/me').set(session.headers).expect(200);
      expect(bodyOf<Me>(me).roles).toEqual(['user']);
    });

    it('answers malformed JSON and oversized bodies with 4xx, not 5xx', async () => {
      const malformed = await t
        .http()
        .post('/api/auth/register')
        .set('Content-Type', 'application/json')
        .send('{"email":')
        .expect(400);
      expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(malformed.headers['cache-control']).toBe('no-store');
      expect(malformed.headers['content-security-policy']).toContain("default-src 'self'");
      const huge = await t
        .http()
        .post('/api/auth/register')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ email: 'x@example.test', password: 'p'.repeat(64 * 1024) }))
        .expect(413);
      expect(huge.body).toMatchObject({ statusCode: 413 });
    });
  });

  describe('POST /api/auth/login', () => {
    it('cookie transport: sets the three HttpOnly, Secure, SameSite=Strict cookies and the session hint, and keeps tokens out of the body', async () => {
      const user = await registerUser(t);
      const response = await t
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(200);
      expect(response.body).toEqual({
        user: { id: user.id, email: user.email, roles: ['user'] },
        accessTokenExpiresAt: expect.any(String),
        csrfToken: expect.any(String),
        idleTimeoutSeconds: 1800,
      });
      expect(JSON.stringify(response.body)).not.toMatch(/eyJ/);
      const cookies = setCookies(response);
      expect(Object.keys(cookies).sort()).toEqual([
        '__Host-access',
        '__Host-fgp',
        '__Host-session-hint',
        '__Secure-refresh',
      ]);
      const { '__Host-session-hint': hint, ...credentials } = cookies;
      for (const cookie of Object.values(credentials)) {
        expect(cookie.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Strict' });
        expect(cookie.attributes.domain).toBeUndefined();
      }
      // The page reads the hint to skip a refresh that can only fail; it carries nothing but "1".
      expect(hint.value).toBe('1');
      expect(hint.attributes).toMatchObject({ secure: true, samesite: 'Strict', path: '/' });
      expect(hint.attributes.httponly).toBeUndefined();
      expect(hint.attributes['max-age']).toBe(cookies['__Secure-refresh'].attributes['max-age']);
      expect(cookies['__Host-access'].attributes.path).toBe('/');
      expect(cookies['__Host-access'].attributes['max-age']).toBe('900');
      expect(cookies['__Host-fgp'].attributes.path).toBe('/');
      expect(cookies['__Secure-refresh'].attributes.path).toBe('/api/auth');
      expect(Number(cookies['__Secure-refresh'].attributes['max-age'])).toBeGreaterThan(6 * 86400);
      const expiresAt = Date.parse(bodyOf<CookieGrant>(response).accessTokenExpiresAt);
      expect(expiresAt - t.clock.now().getTime()).toBeGreaterThan(890_000);
    });

    it('sets exact cookie lifetimes on a real, moving clock', async () => {
      const running = await createTestApp({ clock: FakeClock.running() });
      try {
        const user = await registerUser(running);
        const response = await running
          .http()
          .post('/api/auth/login')
          .send({ email: user.email, password: user.password })
          .expect(200);
        const cookies = setCookies(response);
        expect(cookies['__Host-access'].attributes['max-age']).toBe('900');
        expect(cookies['__Host-fgp'].attributes['max-age']).toBe(String(7 * 86400));
        expect(cookies['__Secure-refresh'].attributes['max-age']).toBe(String(7 * 86400));
      } finally {
        await running.close();
      }
    });

    it('bearer transport: returns the tokens in the body and sets no cookie', async () => {
      const user = await registerUser(t);
      const response = await t
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password, transport: 'bearer' })
        .expect(200);
      expect(response.body).toEqual({
        accessToken: expect.stringMatching(/^eyJ/),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        user: { id: user.id, email: user.email, roles: ['user'] },
      });
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('issues an access token with exactly the contract header and claims', async () => {
      const user = await registerUser(t);
      const { accessToken } = await loginBearer(t, user);
      const { header, payload } = decodeJwt(accessToken);
      const jwks = bodyOf<Jwks>(await t.http().get('/.well-known/jwks.json').expect(200));
      expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0].kid });
      expect(Object.keys(payload).sort()).toEqual([
        'acr',
        'amr',
        'aud',
        'auth_time',
        'client_id',
        'exp',
        'fgp',
        'iat',
        'iss',
        'jti',
        'roles',
        'sid',
        'sub',
      ]);
      expect(payload).toMatchObject({ sub: user.id, roles: ['user'], aud: 'warden-api', client_id: 'warden-bearer' });
      // RFC 8176: a password alone is one factor (NIST SP 800-63B AAL1).
      expect(payload).toMatchObject({ amr: ['pwd'], acr: 'http://idmanagement.gov/ns/assurance/aal/1' });
      expect(payload.auth_time).toBe(payload.iat);
      expect((payload.exp as number) - (payload.iat as number)).toBe(900);
      expect(JSON.stringify(payload)).not.toContain(user.email);
    });

    it('gives an unknown email and a wrong password the same 401 body, and tells them apart in the audit log', async () => {
      const user = await registerUser(t);
      const wrong = await t.http().post('/api/auth/login').send({ email: user.email, password: 'wrong-password-123' });
      const unknown = await t
        .http()
        .post('/api/auth/login')
        .send({ email: 'nobody@example.test', password: 'wrong-password-123' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Email or password is incorrect' });
      const failures = await t.auditEvents({ type: 'login_failed' });
      expect(failures.map((event) => event.reason)).toEqual(expect.arrayContaining(['bad_password', 'unknown_email']));
      expect(failures.find((event) => event.reason === 'bad_password')?.userId).toBe(user.id);
    });

    it('spends a full password hash on an unknown email too, so timing does not tell accounts apart', async () => {
      const passwords = t.app.get(PasswordService);
      const dummy = jest.spyOn(passwords, 'verifyAgainstDummy');
      const real = jest.spyOn(passwords, 'verify');
      try {
        await t
          .http()
          .post('/api/auth/login')
          .send({ email: 'ghost@example.test', password: 'some-password-1' })
          .expect(401);
        expect(dummy).toHaveBeenCalledTimes(1);
        // The dummy path runs the same argon2id verification as a real account.
        expect(real).toHaveBeenCalledTimes(1);
        expect(await (real.mock.results[0].value as Promise<boolean>)).toBe(false);
      } finally {
        dummy.mockRestore();
        real.mockRestore();
      }
    });

    it.each([
      ['an unknown transport', { transport: 'query' }],
      ['a missing password', { password: undefined }],
      ['an object as email', { email: { $ne: null } }],
    ])('answers 400 for %s', async (_case, patch) => {
      const user = await registerUser(t);
      await t
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password, ...patch })
        .expect(400);
    });
  });

  describe('GET /api/users/me', () => {
    it('answers with the bearer token', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const response = await t.http().get('/api/users/me').set(session.headers).expect(200);
      expect(response.body).toEqual({
        id: user.id,
        email: user.email,
        roles: ['user'],
        createdAt: expect.any(String),
        emailVerified: true,
      });
    });

    it('answers with the access and fingerprint cookies', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      const response = await t.http().get('/api/users/me').set(session.headers).expect(200);
      expect(bodyOf<Me>(response).email).toBe(user.email);
    });

    it('answers 401 without a token, with the shared error shape', async () => {
      const response = await t.http().get('/api/users/me').set('User-Agent', TEST_USER_AGENT).expect(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Invalid or missing access token',
      });
    });
  });

  describe('platform', () => {
    it('reports health', async () => {
      const response = await t.http().get('/api/health').expect(200);
      expect(bodyOf<Health>(response).status).toBe('ok');
    });

    it('publishes only public key members in the JWKS', async () => {
      const response = await t.http().get('/.well-known/jwks.json').expect(200);
      expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
      const { keys } = bodyOf<Jwks>(response);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
        expect(key.d).toBeUndefined();
      }
    });

    it('sends the hardening headers and hides the framework', async () => {
      const response = await t.http().get('/api/health');
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });

    it.each([
      ['POST', '/'],
      ['PUT', '/nope'],
      ['GET', '/.well-known/nope'],
      ['DELETE', '/index.html'],
      ['GET', '/api/nope'],
    ])('answers %s %s with the shared 404 shape, never an HTML page', async (method, path) => {
      const response = await t
        .http()
        [method.toLowerCase() as 'get']('/'.concat(path.slice(1)))
        .set('User-Agent', TEST_USER_AGENT);
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('answers oversized headers with 431 in the shared shape', async () => {
      const response = await rawRequest(t, '/api/health', { headers: { 'X-Filler': 'x'.repeat(20_000) } });
      expect(response.status).toBe(431);
      expect(response.body).toEqual({
        statusCode: 431,
        error: 'Request Header Fields Too Large',
        message: 'Request Header Fields Too Large',
      });
    });

    it('keeps API answers out of every cache, and lets the JWKS be cached', async () => {
      const user = await registerUser(t);
      const login = await t.http().post('/api/auth/login').send({ email: user.email, password: user.password });
      expect(login.headers['cache-control']).toBe('no-store');
      const me = await t
        .http()
        .get('/api/users/me')
        .set('Cookie', login.headers['set-cookie'] as unknown as string[]);
      expect(me.headers['cache-control']).toBe('no-store');
      const jwks = await t.http().get('/.well-known/jwks.json');
      expect(jwks.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
    });

    it('accepts JSON only: a form post, as a cross-site form would send, logs nobody in', async () => {
      const user = await registerUser(t);
      const response = await t
        .http()
        .post('/api/auth/login')
        .type('form')
        .send({ email: user.email, password: user.password });
      expect(response.status).toBe(400);
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it('answers unknown routes with the shared 404 shape', async () => {
      const response = await t.http().get('/api/nope').set('User-Agent', TEST_USER_AGENT);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });
  });
});
