import {
  attackerKeyPair,
  b64url,
  es256,
  hs256,
  publicKeyPemFromJwk,
  respelled,
  signWithServerKey,
  unsigned,
} from './factories/tokens';
import { loginBearer, loginCookie, registerUser, TEST_USER_AGENT } from './factories/users';
import { bodyOf, type Jwks, type Me } from './helpers/api';
import { cookieHeader } from './helpers/cookies';
import { decodeJwt } from './helpers/jwt';
import { FakeClock } from './helpers/fake-clock';
import { rawRequest } from './helpers/raw-request';
import { RevocationStore } from '../src/tokens/revocation.store';
import { countEvents } from './helpers/audit';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * Each test performs an attack on the access token and expects the generic 401, with the specific reason in
 * the audit log. The baseline test proves the same request passes with the genuine token.
 */
describe('access token attacks', () => {
  let t: TestApp;
  let token: string;
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  let jwk: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    const user = await registerUser(t);
    token = (await loginBearer(t, user)).accessToken;
    ({ header, payload } = decodeJwt(token));
    jwk = bodyOf<Jwks>(await t.http().get('/.well-known/jwks.json')).keys[0];
  });
  afterAll(() => t.close());

  const me = (authorization: string, userAgent = TEST_USER_AGENT) =>
    t.http().get('/api/users/me').set('Authorization', authorization).set('User-Agent', userAgent);

  async function expectRejected(forged: string, reason: string) {
    const before = await countEvents(t, { type: 'access_token_rejected', reason });
    const response = await me(`Bearer ${forged}`).expect(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid or missing access token',
    });
    // Forged tokens carry no verified user: they are counted on one row per source and reason.
    expect(await countEvents(t, { type: 'access_token_rejected', reason })).toBe(before + 1);
  }

  it('baseline: the genuine token passes', async () => {
    await me(`Bearer ${token}`).expect(200);
  });

  it.each([['none'], ['None'], ['NONE'], ['nOnE']])('refuses alg "%s" with an empty signature', async (alg) => {
    await expectRejected(unsigned({ ...header, alg }, payload), 'bad_alg');
  });

  it('refuses alg "none" that keeps the original signature', async () => {
    await expectRejected(unsigned({ ...header, alg: 'none' }, payload, token.split('.')[2]), 'bad_alg');
  });

  it('refuses HS256 signed with the public key as a PEM (algorithm confusion)', async () => {
    await expectRejected(hs256(header, payload, publicKeyPemFromJwk(jwk)), 'bad_alg');
  });

  it('refuses HS256 signed with the public key as a JWK string', async () => {
    await expectRejected(hs256(header, payload, JSON.stringify(jwk)), 'bad_alg');
  });

  it('refuses a tampered payload under the original signature', async () => {
    const [h, , s] = token.split('.');
    await expectRejected(`${h}.${b64url({ ...payload, roles: ['admin'] })}.${s}`, 'bad_signature');
  });

  it('refuses a stripped signature', async () => {
    const [h, p] = token.split('.');
    await expectRejected(`${h}.${p}.`, 'malformed');
  });

  it('refuses an unknown kid', async () => {
    const { privateKey } = attackerKeyPair();
    await expectRejected(es256({ ...header, kid: 'attacker-key' }, payload, privateKey), 'unknown_kid');
  });

  it('refuses a missing kid', async () => {
    const { privateKey } = attackerKeyPair();
    const { kid: _kid, ...withoutKid } = header;
    await expectRejected(es256(withoutKid, payload, privateKey), 'missing_kid');
  });

  it('refuses an embedded jwk header signed with the attacker key', async () => {
    const { privateKey, publicKey } = attackerKeyPair();
    const attackerJwk = publicKey.export({ format: 'jwk' });
    await expectRejected(es256({ ...header, jwk: attackerJwk }, payload, privateKey), 'bad_signature');
    await expectRejected(es256({ ...header, kid: undefined, jwk: attackerJwk }, payload, privateKey), 'missing_kid');
  });

  it('refuses a jku header and never fetches it', async () => {
    let fetched = false;
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      fetched = true;
      res.end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const { privateKey } = attackerKeyPair();
    try {
      await expectRejected(
        es256({ ...header, kid: 'attacker', jku: `http://127.0.0.1:${port}/jwks.json` }, payload, privateKey),
        'unknown_kid',
      );
      expect(fetched).toBe(false);
    } finally {
      server.close();
    }
  });

  it("refuses a jku header next to a genuine kid: the key comes from the server's store only", async () => {
    let fetched = false;
    const { createServer } = await import('node:http');
    const { privateKey, publicKey } = attackerKeyPair();
    const server = createServer((_req, res) => {
      fetched = true;
      res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: header.kid, alg: 'ES256' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const forged = es256({ ...header, jku: `http://127.0.0.1:${port}/jwks.json` }, payload, privateKey);
      await expectRejected(forged, 'bad_signature');
      expect(fetched).toBe(false);
    } finally {
      server.close();
    }
  });

  it('refuses a token of the wrong type (typ other than at+jwt)', async () => {
    const { privateKey } = attackerKeyPair();
    await expectRejected(es256({ ...header, typ: 'JWT' }, payload, privateKey), 'bad_typ');
  });

  it('refuses unknown critical header parameters', async () => {
    const { privateKey } = attackerKeyPair();
    await expectRejected(es256({ ...header, crit: ['exp'], exp: 1 }, payload, privateKey), 'unsupported_crit');
  });

  it.each([['not-a-jwt'], ['a.b'], ['a.b.c.d'], ['....'], ['eyJ.eyJ.x']])('refuses garbage %p', async (garbage) => {
    const response = await me(`Bearer ${garbage}`);
    expect(response.status).toBe(401);
  });

  describe('non-canonical base64url (one token, one spelling)', () => {
    /** A segment whose encoding leaves unused bits: JSON allows trailing whitespace to adjust its length. */
    const encodeWithSlack = (value: unknown) => {
      let json = JSON.stringify(value);
      while (json.length % 3 === 0) json += ' ';
      return b64url(json);
    };

    it('refuses the genuine token with its last signature character changed', async () => {
      const [h, p, s] = token.split('.');
      // ES256: 64 bytes make 86 characters, the last with 2 unused bits; decoders ignore them.
      expect(s.length % 4).not.toBe(0);
      await expectRejected(`${h}.${p}.${respelled(s)}`, 'malformed');
    });

    it.each([['header'], ['payload']])('refuses a non-canonical %s even under a valid signature', async (part) => {
      const h = encodeWithSlack(header);
      const p = encodeWithSlack(payload);
      // Baseline: the canonical spelling, signed the same way, passes.
      await me(`Bearer ${signWithServerKey(t, h, p)}`).expect(200);
      const forged = part === 'header' ? signWithServerKey(t, respelled(h), p) : signWithServerKey(t, h, respelled(p));
      await expectRejected(forged, 'malformed');
    });

    it('refuses padding', async () => {
      const [h, p, s] = token.split('.');
      await expectRejected(`${h}.${p}.${s}==`, 'malformed');
    });
  });

  it('refuses a token passed in the query string', async () => {
    await t.http().get(`/api/users/me?access_token=${token}`).set('User-Agent', TEST_USER_AGENT).expect(401);
  });

  it('refuses a token in a malformed Authorization header instead of falling back to cookies', async () => {
    // A valid browser session comes along: the malformed header must not be replaced by its access cookie.
    const session = await loginCookie(t, await registerUser(t));
    const browser = () =>
      t.http().get('/api/users/me').set('User-Agent', TEST_USER_AGENT).set('Cookie', session.cookie);
    await browser().expect(200);
    for (const authorization of [`Token ${token}`, 'Bearer', 'Bearer not a token', `Bearer ${token} extra`, '']) {
      await browser().set('Authorization', authorization).expect(401);
    }
  });

  it('binds a cookie-bound token to the User-Agent as well as the fingerprint cookie', async () => {
    const session = await loginCookie(t, await registerUser(t));
    await t.http().get('/api/users/me').set('User-Agent', TEST_USER_AGENT).set('Cookie', session.cookie).expect(200);
    await t
      .http()
      .get('/api/users/me')
      .set('User-Agent', 'WardenTest/1.1 (jest)')
      .set('Cookie', session.cookie)
      .expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe('fingerprint_mismatch');
  });

  it('refuses the token from another User-Agent (fingerprint)', async () => {
    await me(`Bearer ${token}`, 'curl/8.0').expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe('fingerprint_mismatch');
  });

  it('refuses the token from another client IP (fingerprint)', async () => {
    const headers = { Authorization: `Bearer ${token}`, 'User-Agent': TEST_USER_AGENT };
    const same = await rawRequest(t, '/api/users/me', { headers, from: '127.0.0.1' });
    expect(same.status).toBe(200);
    const other = await rawRequest(t, '/api/users/me', { headers, from: '127.0.0.2' });
    expect(other.status).toBe(401);
    expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)).toMatchObject({
      reason: 'fingerprint_mismatch',
      ip: '127.0.0.2',
    });
  });

  it('ignores a spoofed X-Forwarded-For while TRUST_PROXY is off', async () => {
    // The token was bound to 127.0.0.1; a client at 127.0.0.2 claiming to forward for 127.0.0.1 stays 127.0.0.2.
    const response = await rawRequest(t, '/api/users/me', {
      headers: { Authorization: `Bearer ${token}`, 'User-Agent': TEST_USER_AGENT, 'X-Forwarded-For': '127.0.0.1' },
      from: '127.0.0.2',
    });
    expect(response.status).toBe(401);
  });

  it('refuses a cookie-bound token without its fingerprint cookie, or with another one', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    const withCookies = (cookies: Record<string, string | undefined>) =>
      t.http().get('/api/users/me').set('User-Agent', TEST_USER_AGENT).set('Cookie', cookieHeader(cookies));
    await withCookies({ '__Host-access': session.access, '__Host-fgp': session.fingerprint }).expect(200);
    await withCookies({ '__Host-access': session.access }).expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe('fingerprint_missing');
    await withCookies({ '__Host-access': session.access, '__Host-fgp': 'forged-fingerprint-value' }).expect(401);
    expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe('fingerprint_mismatch');
  });

  it('refuses a cookie-bound token replayed as a bearer token', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    await me(`Bearer ${session.access}`).expect(401);
  });

  it('lets a browser token survive an IP change (only bearer tokens are IP-bound)', async () => {
    const user = await registerUser(t);
    const session = await loginCookie(t, user);
    const response = await rawRequest(t, '/api/users/me', {
      headers: { Cookie: session.cookie, 'User-Agent': TEST_USER_AGENT },
      from: '127.0.0.3',
    });
    expect(response.status).toBe(200);
  });
});

describe('access token lifetime and audience', () => {
  it('refuses an expired token', async () => {
    const clock = new FakeClock();
    const t = await createTestApp({ clock });
    try {
      const user = await registerUser(t);
      // Issued an hour ago: the real verifier sees a token that expired 45 minutes ago.
      clock.advance(-60 * 60 * 1000);
      const session = await loginBearer(t, user);
      clock.advance(60 * 60 * 1000);
      await t.http().get('/api/users/me').set(session.headers).expect(401);
      expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe('expired');
    } finally {
      await t.close();
    }
  });

  describe('clock tolerance (5 s) at its edge', () => {
    let clock: FakeClock;
    let t: TestApp;
    beforeAll(async () => {
      clock = new FakeClock();
      t = await createTestApp({ clock });
    });
    afterAll(() => t.close());

    async function expectRefused(headers: Record<string, string>, reason: string) {
      await t.http().get('/api/users/me').set(headers).expect(401);
      expect((await t.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe(reason);
    }

    /** The genuine token of a fresh session, re-signed with the server's key after `change`. */
    async function resigned(change: (payload: Record<string, unknown>) => Record<string, unknown>) {
      const session = await loginBearer(t, await registerUser(t));
      const [h] = session.accessToken.split('.');
      const forged = signWithServerKey(t, h, b64url(change(decodeJwt(session.accessToken).payload)));
      return { ...session.headers, Authorization: `Bearer ${forged}` };
    }

    it('refuses a token that expired 10 s ago', async () => {
      const user = await registerUser(t);
      // Issued TTL + 10 s ago (the verifier reads the real time, which only moves on from there).
      clock.advance(-(900 + 10) * 1000);
      const session = await loginBearer(t, user);
      clock.advance((900 + 10) * 1000);
      await expectRefused(session.headers, 'expired');
    });

    it('refuses a token not valid before 10 s from now (nbf)', async () => {
      await t
        .http()
        .get('/api/users/me')
        .set(await resigned((payload) => payload))
        .expect(200);
      const nbf = Math.floor(Date.now() / 1000) + 10;
      await expectRefused(await resigned((payload) => ({ ...payload, nbf })), 'not_yet_valid');
    });

    it('refuses a token issued 10 s in the future (iat), and accepts one 2 s ahead (skew)', async () => {
      const ahead = (seconds: number) => resigned((payload) => ({ ...payload, iat: clock.nowSeconds() + seconds }));
      await t
        .http()
        .get('/api/users/me')
        .set(await ahead(2))
        .expect(200);
      await expectRefused(await ahead(10), 'not_yet_valid');
    });
  });

  it('honours ACCESS_TOKEN_TTL', async () => {
    const t = await createTestApp({ env: { ACCESS_TOKEN_TTL: '3s' } });
    try {
      const session = await loginBearer(t, await registerUser(t));
      const { payload } = decodeJwt(session.accessToken);
      expect((payload.exp as number) - (payload.iat as number)).toBe(3);
    } finally {
      await t.close();
    }
  });

  it.each([
    ['issuer', { JWT_ISSUER: 'https://other.example' }, 'bad_issuer'],
    ['audience', { JWT_AUDIENCE: 'another-api' }, 'bad_audience'],
  ])('refuses a token minted for another %s', async (_what, env, reason) => {
    // Same database and keys, different expectations: the token is genuine but not meant for this verifier.
    const file = `/tmp/warden-aud-${process.pid}-${Date.now()}.sqlite`;
    const issuer = await createTestApp({ env: { DATABASE_URL: `sqlite:${file}`, ...env } });
    const verifier = await createTestApp({ env: { DATABASE_URL: `sqlite:${file}` } });
    try {
      const session = await loginBearer(issuer, await registerUser(issuer));
      await verifier.http().get('/api/users/me').set(session.headers).expect(401);
      expect((await verifier.auditEvents({ type: 'access_token_rejected' })).at(-1)?.reason).toBe(reason);
    } finally {
      await issuer.close();
      await verifier.close();
      const { rmSync } = await import('node:fs');
      rmSync(file, { force: true });
    }
  });
});

describe('concurrent verification', () => {
  it('gives each of many simultaneous requests its own caller, even when verification waits on I/O', async () => {
    const t = await createTestApp();
    try {
      // A store that answers after a delay, as a networked one (Redis) would: verifications overlap.
      const store = t.app.get(RevocationStore);
      const check = store.check.bind(store);
      jest.spyOn(store, 'check').mockImplementation(async (token) => {
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
        return check(token);
      });
      const alice = await registerUser(t);
      const bob = await registerUser(t);
      const sessions = { [alice.id]: await loginBearer(t, alice), [bob.id]: await loginBearer(t, bob) };
      const callers = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? bob.id : alice.id));
      const responses = await Promise.all(
        callers.map((id) => t.http().get('/api/users/me').set(sessions[id].headers).timeout(5_000)),
      );
      expect(responses.map((response) => [response.status, bodyOf<Me>(response).id])).toEqual(
        callers.map((id) => [200, id]),
      );
    } finally {
      await t.close();
    }
  });
});
