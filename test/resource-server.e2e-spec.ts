import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { createResourceServer, createVerifier } from '../examples/resource-server/server';
import { SignJWT } from 'jose';
import { SigningKey } from '../src/keys/entities/signing-key.entity';
import { KeyRefreshJob } from '../src/keys/key-refresh.job';
import { KeyRotationService } from '../src/keys/key-rotation.service';
import { KeyStore } from '../src/keys/key-store.service';
import { kidOf } from './helpers/jwt';
import { loginBearer, registerUser, type TestUser } from './factories/users';
import { bodyOf, type Jwks, type ResourceToken } from './helpers/api';
import { createTestApp, TestApp } from './helpers/test-app';

/** The example's own audience (ASVS 5.0 9.2.4): Warden's `warden-api` tokens are not for it. */
const RESOURCE = 'https://notes.example.test';
const OTHER_RESOURCE = 'https://billing.example.test';

describe('the example resource server', () => {
  let warden: TestApp;
  let server: Server;
  let options: Parameters<typeof createResourceServer>[0];

  beforeAll(async () => {
    warden = await createTestApp({ env: { RESOURCE_AUDIENCES: `${RESOURCE},${OTHER_RESOURCE}` } });
    options = {
      jwksUrl: `${warden.baseUrl}/.well-known/jwks.json`,
      issuer: 'http://localhost:3000',
      audience: RESOURCE,
      refetchIntervalSeconds: 60,
    };
    server = createResourceServer(options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await warden.close();
  });

  const whoami = (token: string) =>
    request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
      .get('/whoami')
      .set('Authorization', `Bearer ${token}`);

  /** A signed-in client asks Warden for a token for `resource` (RFC 8707 resource indicator). */
  const askFor = (headers: Record<string, string>, resource: string) =>
    warden.http().post('/api/auth/resource-token').set(headers).send({ resource });

  const resourceToken = async (user: TestUser, resource = RESOURCE): Promise<string> => {
    const session = await loginBearer(warden, user);
    const response = await askFor(session.headers, resource).expect(200);
    return bodyOf<ResourceToken>(response).accessToken;
  };

  it('verifies a real Warden access token for this resource with only the JWKS URL', async () => {
    const user = await registerUser(warden);
    const accessToken = await resourceToken(user);
    const response = await whoami(accessToken).expect(200);
    expect(response.body).toEqual({ sub: user.id, roles: ['user'] });
  });

  describe('per-resource audiences (ASVS 5.0 9.2.4)', () => {
    const claimsOf = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

    it('gives a token asked for a resource that audience, the same session and nothing more', async () => {
      const user = await registerUser(warden);
      const session = await loginBearer(warden, user);
      const response = await askFor(session.headers, RESOURCE).expect(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        audience: RESOURCE,
      });
      const claims = claimsOf(bodyOf<ResourceToken>(response).accessToken);
      expect(claims).toMatchObject({ aud: RESOURCE, sub: user.id, sid: claimsOf(session.accessToken).sid });
      const [event] = await warden.auditEvents({ type: 'resource_token_issued', userId: user.id });
      expect(event.metadata).toEqual({ resource: RESOURCE });
    });

    it("refuses Warden's own tokens here", async () => {
      const user = await registerUser(warden);
      const { accessToken } = await loginBearer(warden, user);
      await whoami(accessToken).expect(401);
    });

    it("refuses another resource's token here, and Warden refuses both", async () => {
      const user = await registerUser(warden);
      const billing = await resourceToken(user, OTHER_RESOURCE);
      await whoami(billing).expect(401);
      const notes = await resourceToken(user);
      for (const token of [billing, notes]) {
        await warden.http().get('/api/users/me').set('Authorization', `Bearer ${token}`).expect(401);
        // Nor can a resource token buy another one.
        await askFor({ Authorization: `Bearer ${token}` }, RESOURCE).expect(401);
      }
    });

    it('issues tokens only for the configured resources, and only to signed-in clients', async () => {
      const user = await registerUser(warden);
      const session = await loginBearer(warden, user);
      for (const resource of ['https://evil.example.test', 'warden-api', '']) {
        await askFor(session.headers, resource).expect(400);
      }
      await askFor({}, RESOURCE).expect(401);
    });
  });

  it('rejects a tampered token', async () => {
    const user = await registerUser(warden);
    const accessToken = await resourceToken(user);
    const [header, payload, signature] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
    await whoami(`${header}.${tampered}.${signature}`).expect(401);
    await whoami(`${header}.${payload}.${signature.slice(0, -4)}AAAA`).expect(401);
  });

  it('refetches the JWKS on an unknown kid, at most once per interval', async () => {
    const user = await registerUser(warden);
    const eager = createVerifier({ ...options, refetchIntervalSeconds: 0 });
    const limited = createVerifier({ ...options, refetchIntervalSeconds: 60 });
    const before = await resourceToken(user);
    await eager(before);
    await limited(before);

    await warden.app.get(KeyRotationService).rotate('manual');
    const after = await resourceToken(user);
    // The new kid triggers a refetch and verifies...
    await expect(eager(after)).resolves.toMatchObject({ sub: user.id });
    // ...unless a fetch happened within the interval: then the unknown kid is refused without a request.
    await expect(limited(after)).rejects.toThrow('unknown key');
  });

  it('refuses a validly signed token without exp, iat or client_id', async () => {
    const key = warden.app.get(KeyStore).activeSigningKey();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const complete = { iss: 'http://localhost:3000', aud: RESOURCE, sub: 'someone', jti: 'j', client_id: 'c' };
    const sign = async (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid }).sign(key.privateKey);
    const verify = createVerifier(options);
    await expect(verify(await sign({ ...complete, iat: nowSeconds, exp: nowSeconds + 60 }))).resolves.toBeDefined();
    await expect(verify(await sign({ ...complete, iat: nowSeconds }))).rejects.toThrow('missing required "exp" claim');
    await expect(verify(await sign({ ...complete, exp: nowSeconds + 60 }))).rejects.toThrow(
      'missing required "iat" claim',
    );
    await expect(
      verify(await sign({ ...complete, iat: nowSeconds, exp: nowSeconds + 60, client_id: undefined })),
    ).rejects.toThrow('missing required "client_id" claim');
  });

  it('stops accepting a retired key once its cached JWKS is older than max-age', async () => {
    const user = await registerUser(warden);
    const old = await resourceToken(user);
    let now = Date.now();
    const verify = createVerifier({ ...options, now: () => now });
    await expect(verify(old)).resolves.toMatchObject({ sub: user.id });

    await warden.app.get(KeyRotationService).rotate('manual');
    const row = await warden.dataSource.getRepository(SigningKey).findOneByOrFail({ kid: kidOf(old) });
    warden.clock.set(new Date(row.retireAt!.getTime() + 1000));
    await warden.app.get(KeyRefreshJob).run();
    expect(bodyOf<Jwks>(await warden.http().get('/.well-known/jwks.json')).keys.map((k) => k.kid)).not.toContain(
      kidOf(old),
    );

    // Within max-age (300s) the example still trusts its cache...
    now += 299 * 1000;
    await expect(verify(old)).resolves.toMatchObject({ sub: user.id });
    // ...past it, it refetches and the retired key is gone.
    now += 2 * 1000;
    await expect(verify(old)).rejects.toThrow('unknown key');
  });

  describe('JWKS refetches: single flight and rate-limited on every path', () => {
    afterEach(() => jest.restoreAllMocks());

    it('N concurrent verifications with an expired cache make one JWKS fetch', async () => {
      const user = await registerUser(warden);
      const accessToken = await resourceToken(user);
      let now = Date.now();
      const verify = createVerifier({ ...options, now: () => now });
      await verify(accessToken);
      const fetches = jest.spyOn(globalThis, 'fetch');
      now += 301 * 1000;
      const results = await Promise.all(Array.from({ length: 20 }, () => verify(accessToken)));
      expect(results.every((claims) => claims.sub === user.id)).toBe(true);
      expect(fetches).toHaveBeenCalledTimes(1);
      // Cold start too: the first burst shares one fetch.
      fetches.mockClear();
      const cold = createVerifier(options);
      await Promise.all(Array.from({ length: 20 }, () => cold(accessToken)));
      expect(fetches).toHaveBeenCalledTimes(1);
    });

    it('with Warden down, serves the stale keys up to maxStaleSeconds, fetching at most once per interval', async () => {
      const user = await registerUser(warden);
      const accessToken = await resourceToken(user);
      let now = Date.now();
      const verify = createVerifier({ ...options, refetchIntervalSeconds: 30, maxStaleSeconds: 120, now: () => now });
      await verify(accessToken);
      const fetches = jest.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('connection refused'));
      now += 301 * 1000; // max-age (300 s) has passed
      for (let i = 0; i < 10; i += 1) await expect(verify(accessToken)).resolves.toMatchObject({ sub: user.id });
      expect(fetches).toHaveBeenCalledTimes(1);
      now += 30 * 1000;
      await Promise.all(Array.from({ length: 10 }, () => verify(accessToken)));
      expect(fetches).toHaveBeenCalledTimes(2);
      // Past max-age + maxStaleSeconds the cache is refused: a retired or revoked key must not verify forever.
      now += 90 * 1000;
      await expect(verify(accessToken)).rejects.toThrow('JWKS unavailable');
      expect(fetches).toHaveBeenCalledTimes(3);
    });

    it('with max-age 0, a stream of requests fetches once per interval, not once per request', async () => {
      const user = await registerUser(warden);
      const accessToken = await resourceToken(user);
      const realFetch = globalThis.fetch;
      const fetches = jest.spyOn(globalThis, 'fetch').mockImplementation(async (...args) => {
        const response = await realFetch(...args);
        const headers = new Headers(response.headers);
        headers.set('cache-control', 'public, max-age=0');
        return new Response(await response.text(), { status: response.status, headers });
      });
      let now = Date.now();
      const verify = createVerifier({ ...options, refetchIntervalSeconds: 30, now: () => now });
      for (let i = 0; i < 10; i += 1) {
        await expect(verify(accessToken)).resolves.toMatchObject({ sub: user.id });
        now += 1000;
      }
      expect(fetches).toHaveBeenCalledTimes(1);
    });
  });
});
