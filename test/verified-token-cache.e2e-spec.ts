import type { Request } from 'express';
import passport from 'passport';
import { JwtStrategy } from '../src/auth/jwt.strategy';
import { TokenRejectedError } from '../src/tokens/token-rejection';
import { loginBearer, loginCookie, registerUser, TEST_USER_AGENT } from './factories/users';
import { decodeJwt } from './helpers/jwt';
import { rawRequest } from './helpers/raw-request';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * The guard remembers tokens whose signature it has verified. Each test first gets the token accepted (so
 * it is in the cache), then changes what the cache must not remember, and expects the 401 with the reason.
 */
describe('verified-token cache', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const me = (headers: Record<string, string>) => t.http().get('/api/users/me').set(headers);
  const lastRejection = async () => (await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason;

  it('never serves a token whose session was revoked', async () => {
    const user = await registerUser(t);
    const victim = await loginBearer(t, user);
    const other = await loginBearer(t, user);
    await me(victim.headers).expect(200);
    await me(victim.headers).expect(200);
    const sid = decodeJwt(victim.accessToken).payload.sid as string;
    await t.http().delete(`/api/auth/sessions/${sid}`).set(other.headers).expect(204);
    await me(victim.headers).expect(401);
    expect(await lastRejection()).toBe('session_revoked');
  });

  it('never serves a token denylisted by logout, nor any token of a user who logged out everywhere', async () => {
    const user = await registerUser(t);
    const first = await loginBearer(t, user);
    await me(first.headers).expect(200);
    await t.http().post('/api/auth/logout').set(first.headers).send({}).expect(204);
    await me(first.headers).expect(401);
    expect(await lastRejection()).toMatch(/revoked/);

    const second = await loginBearer(t, user);
    await me(second.headers).expect(200);
    await t.http().post('/api/auth/logout-all').set(second.headers).send({}).expect(204);
    await me(second.headers).expect(401);
    expect(await lastRejection()).toMatch(/revoked/);
  });

  it('never serves an expired token', async () => {
    const session = await loginBearer(t, await registerUser(t));
    await me(session.headers).expect(200);
    const exp = decodeJwt(session.accessToken).payload.exp as number;
    // Token expiry follows the real clock (as for any JWKS verifier); move it past exp and the leeway.
    const now = jest.spyOn(Date, 'now').mockReturnValue((exp + 6) * 1000);
    try {
      await me(session.headers).expect(401);
    } finally {
      now.mockRestore();
    }
    expect(await lastRejection()).toBe('expired');
  });

  it('never serves a bearer token to another client (fingerprint checked on every request)', async () => {
    const session = await loginBearer(t, await registerUser(t));
    await me(session.headers).expect(200);
    await me({ ...session.headers, 'User-Agent': 'curl/8.0' }).expect(401);
    expect(await lastRejection()).toBe('fingerprint_mismatch');
    const moved = await rawRequest(t, '/api/users/me', { headers: session.headers, from: '127.0.0.3' });
    expect(moved.status).toBe(401);
    expect(await lastRejection()).toBe('fingerprint_mismatch');
  });

  it('never serves a cookie-bound token over another transport, or without its fingerprint cookie', async () => {
    const session = await loginCookie(t, await registerUser(t));
    await me(session.headers).expect(200);
    await me({ Authorization: `Bearer ${session.access}`, 'User-Agent': TEST_USER_AGENT }).expect(401);
    expect(await lastRejection()).toBe('fingerprint_mismatch');
    await me({ Cookie: `__Host-access=${session.access}`, 'User-Agent': TEST_USER_AGENT }).expect(401);
    expect(await lastRejection()).toBe('fingerprint_missing');
  });

  it('does not let a cached token vouch for a tampered copy', async () => {
    const session = await loginBearer(t, await registerUser(t));
    await me(session.headers).expect(200);
    const [header, payload, signature] = session.accessToken.split('.');
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    await me({ ...session.headers, Authorization: `Bearer ${header}.${payload}.${flipped}` }).expect(401);
    expect(await lastRejection()).toBe('bad_signature');
  });

  it('leaves the passport-jwt strategy usable as AuthGuard("jwt") would run it, with the same checks', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const other = await loginBearer(t, user);
    const request = {
      headers: { authorization: `Bearer ${session.accessToken}`, 'user-agent': TEST_USER_AGENT },
      get: (name: string) => (name.toLowerCase() === 'user-agent' ? TEST_USER_AGENT : undefined),
      ip: '127.0.0.1',
      socket: { remoteAddress: '127.0.0.1' },
      cookies: {},
    } as unknown as Request;
    const viaPassport = () =>
      new Promise((resolve, reject) => {
        const strategy = Object.create(t.app.get(JwtStrategy)) as JwtStrategy;
        // @types/passport leaves the middleware's type to the framework (AuthenticateRet = any): Express's.
        const middleware = passport.authenticate(
          strategy,
          { session: false },
          (error: unknown, principal: unknown, info: unknown) => {
            const cause = error ?? info;
            if (principal) resolve(principal);
            else reject(cause instanceof Error ? cause : new Error('no principal'));
          },
        ) as (request: Request, response: object, next: (error: unknown) => void) => void;
        middleware(request, {}, reject);
      });
    await expect(viaPassport()).resolves.toMatchObject({ userId: user.id, transport: 'bearer' });
    const sid = decodeJwt(session.accessToken).payload.sid as string;
    await t.http().delete(`/api/auth/sessions/${sid}`).set(other.headers).expect(204);
    await expect(viaPassport()).rejects.toEqual(new TokenRejectedError('session_revoked'));
  });
});
