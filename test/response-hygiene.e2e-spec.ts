import { loginBearer, loginCookie, registerUser } from './factories/users';
import { decodeJwt } from './helpers/jwt';
import { ProbeModule } from './helpers/probe.module';
import { createTestApp, TestApp } from './helpers/test-app';

const EXPIRES = 'access-token-expires-at';

/** What every authenticated answer carries, and what no answer can carry, without a line in the controller. */
describe('response hygiene', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ProbeModule], env: { CORS_ORIGINS: 'https://app.example.test' } });
  });
  afterAll(() => t.close());

  const varyOf = (header: string | undefined): string[] =>
    (header ?? '').split(',').map((name) => name.trim().toLowerCase());

  describe('authenticated answers', () => {
    it('are no-store, vary on the credentials, and say when the bearer token expires', async () => {
      const session = await loginBearer(t, await registerUser(t));
      const response = await t.http().get('/api/probe/me/entity').set(session.headers).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(varyOf(response.headers.vary)).toEqual(expect.arrayContaining(['authorization', 'cookie']));
      const exp = decodeJwt(session.accessToken).payload.exp as number;
      expect(response.headers[EXPIRES]).toBe(new Date(exp * 1000).toISOString());
    });

    it('tell a cookie client the expiry it cannot read from its HttpOnly token, on errors too', async () => {
      const session = await loginCookie(t, await registerUser(t));
      const ok = await t.http().get('/api/users/me').set(session.headers).expect(200);
      expect(ok.headers[EXPIRES]).toBe(session.accessTokenExpiresAt);
      const refused = await t.http().delete('/api/auth/sessions/not-a-uuid').set(session.headers).expect(404);
      expect(refused.headers[EXPIRES]).toBe(session.accessTokenExpiresAt);
      expect(refused.headers['cache-control']).toBe('no-store');
      expect(varyOf(refused.headers.vary)).toEqual(expect.arrayContaining(['authorization', 'cookie']));
    });

    it('expose the expiry header to an allowed cross-origin page', async () => {
      const session = await loginBearer(t, await registerUser(t));
      const response = await t
        .http()
        .get('/api/users/me')
        .set({ ...session.headers, Origin: 'https://app.example.test' })
        .expect(200);
      expect(varyOf(response.headers['access-control-expose-headers'])).toContain(EXPIRES);
    });

    it('anonymous answers say nothing about a token', async () => {
      const response = await t.http().get('/api/probe/public').expect(200);
      expect(response.headers[EXPIRES]).toBeUndefined();
      const refused = await t.http().get('/api/users/me').expect(401);
      expect(refused.headers[EXPIRES]).toBeUndefined();
    });
  });

  describe('fields marked @Secret never leave, even when a controller returns entities by mistake', () => {
    it('a whole user entity', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const response = await t.http().get('/api/probe/me/entity').set(session.headers).expect(200);
      expect(response.body).toMatchObject({ id: user.id, email: user.email });
      expect(response.body).not.toHaveProperty('passwordHash');
      expect(response.text).not.toContain('$argon2');
    });

    it('entities nested in a plain object and in a list', async () => {
      const session = await loginCookie(t, await registerUser(t));
      const response = await t.http().get('/api/probe/me/nested').set(session.headers).expect(200);
      const body = response.body as { owner: Record<string, unknown>; tokens: Record<string, unknown>[] };
      expect(body.owner).not.toHaveProperty('passwordHash');
      expect(body.tokens.length).toBeGreaterThan(0);
      for (const token of body.tokens) {
        expect(token).toHaveProperty('sessionId');
        expect(token).not.toHaveProperty('tokenHash');
      }
      expect(response.text).not.toContain('$argon2');
    });

    it('an entity copied into a plain object, which no longer knows its class', async () => {
      const session = await loginBearer(t, await registerUser(t));
      const response = await t.http().get('/api/probe/me/copy').set(session.headers).expect(200);
      expect(response.body).toHaveProperty('email');
      expect(response.body).not.toHaveProperty('passwordHash');
      expect(response.text).not.toContain('$argon2');
    });

    it('signing keys: the public half only', async () => {
      const session = await loginBearer(t, await registerUser(t));
      const response = await t.http().get('/api/probe/keys').set(session.headers).expect(200);
      const keys = response.body as Record<string, unknown>[];
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toHaveProperty('publicJwk');
        expect(key).not.toHaveProperty('encryptedPrivateKey');
      }
      expect(response.text).not.toMatch(/"d":/);
    });
  });
});
