import { generateKeyPair as generateJoseKeyPair, exportJWK, decodeJwt } from 'jose';
import { createHmac } from 'node:crypto';
import type { Response } from 'supertest';
import { registerUser, TEST_USER_AGENT, type TestUser, loginBearer } from './factories/users';
import { bodyOf, messageOf, type ResourceToken } from './helpers/api';
import { craftedProof, dpopClient, type DpopClient, dpopGet, dpopSessionFrom, loginDpop } from './helpers/dpop';
import { createTestApp, TestApp } from './helpers/test-app';

const ME = '/api/users/me';

/** A compact JWS that was never signed: for algorithms no library will sign with. */
function unsigned(header: Record<string, unknown>, claims: Record<string, unknown>, signature = ''): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(claims)}.${signature}`;
}

/**
 * DPoP (RFC 9449) for the bearer transport, driven by an independent client implementation (panva's
 * `dpop` package). Each attack has the stolen access or refresh token and something less than the key.
 */
describe('DPoP-bound tokens', () => {
  let t: TestApp;
  let user: TestUser;
  let client: DpopClient;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    user = await registerUser(t);
    client = await dpopClient();
  });

  async function lastRejection() {
    return (await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).at(-1);
  }

  it('a login with a proof binds the access token to the key (cnf.jkt) and the DPoP scheme works', async () => {
    const session = await loginDpop(t, user, client);
    expect(decodeJwt(session.accessToken).cnf).toEqual({ jkt: client.jkt });
    const response = await dpopGet(t, ME, session);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id });
    const [login] = await t.auditEvents({ type: 'login', userId: user.id });
    expect(login.metadata).toMatchObject({ transport: 'bearer', dpop: true });
  });

  it('clients without DPoP keep plain bearer tokens, with no cnf and no proof to send', async () => {
    const session = await loginBearer(t, user);
    expect(decodeJwt(session.accessToken).cnf).toBeUndefined();
    await t.http().get(ME).set(session.headers).expect(200);
  });

  it('a stolen bound token sent as plain Bearer is refused', async () => {
    const session = await loginDpop(t, user, client);
    const response = await t
      .http()
      .get(ME)
      .set('User-Agent', TEST_USER_AGENT)
      .set('Authorization', `Bearer ${session.accessToken}`)
      .expect(401);
    expect(response.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof"/);
    expect(await lastRejection()).toMatchObject({ reason: 'dpop_bound_token_as_bearer' });
  });

  it('a stolen bound token with the DPoP scheme but no proof is refused', async () => {
    const session = await loginDpop(t, user, client);
    await t
      .http()
      .get(ME)
      .set('User-Agent', TEST_USER_AGENT)
      .set('Authorization', `DPoP ${session.accessToken}`)
      .expect(401);
    expect(await lastRejection()).toMatchObject({ reason: 'dpop_proof_missing' });
  });

  it('an unbound token is refused under the DPoP scheme', async () => {
    const session = await loginBearer(t, user);
    await t
      .http()
      .get(ME)
      .set('User-Agent', TEST_USER_AGENT)
      .set('Authorization', `DPoP ${session.accessToken}`)
      .set('DPoP', await client.proof('GET', `${t.baseUrl}${ME}`, session.accessToken))
      .expect(401);
    expect(await lastRejection()).toMatchObject({ reason: 'dpop_token_not_bound' });
  });

  it('a thief with the token and his own key is refused: the key is not the bound one', async () => {
    const session = await loginDpop(t, user, client);
    const thief = await dpopClient();
    expect((await dpopGet(t, ME, { ...session, client: thief })).status).toBe(401);
    expect(await lastRejection()).toMatchObject({ reason: 'dpop_key_mismatch' });
  });

  it('the proof is checked on every request, also once the token is in the verified-token cache', async () => {
    const session = await loginDpop(t, user, client);
    expect((await dpopGet(t, ME, session)).status).toBe(200);
    expect((await dpopGet(t, ME, session)).status).toBe(200);
    const cachedToken = () => t.http().get(ME).set('User-Agent', TEST_USER_AGENT);
    await cachedToken().set('Authorization', `Bearer ${session.accessToken}`).expect(401);
    await cachedToken().set('Authorization', `DPoP ${session.accessToken}`).expect(401);
    const reasons = (await t.auditEvents({ type: 'access_token_rejected', userId: user.id })).map((e) => e.reason);
    expect(reasons).toEqual(['dpop_bound_token_as_bearer', 'dpop_proof_missing']);
  });

  it('a replayed proof is refused', async () => {
    const session = await loginDpop(t, user, client);
    const proof = await client.proof('GET', `${t.baseUrl}${ME}`, session.accessToken);
    const send = () =>
      t
        .http()
        .get(ME)
        .set('User-Agent', TEST_USER_AGENT)
        .set('Authorization', `DPoP ${session.accessToken}`)
        .set('DPoP', proof);
    await send().expect(200);
    await send().expect(401);
    expect(await lastRejection()).toMatchObject({ reason: 'dpop_replayed' });
  });

  it.each([
    ['another URL', 'GET', '/api/auth/principal', 'dpop_htu_mismatch'],
    ['another method', 'DELETE', ME, 'dpop_htm_mismatch'],
  ])('a proof for %s is refused', async (_name, method, path, reason) => {
    const session = await loginDpop(t, user, client);
    await t
      .http()
      .get(ME)
      .set('User-Agent', TEST_USER_AGENT)
      .set('Authorization', `DPoP ${session.accessToken}`)
      .set('DPoP', await client.proof(method, `${t.baseUrl}${path}`, session.accessToken))
      .expect(401);
    expect(await lastRejection()).toMatchObject({ reason });
  });

  it('htu ignores the query and fragment, and is compared normalised', async () => {
    const session = await loginDpop(t, user, client);
    const url = `${t.baseUrl.replace('http://', 'HTTP://')}${ME}?page=2#top`;
    await t
      .http()
      .get(`${ME}?page=1`)
      .set('User-Agent', TEST_USER_AGENT)
      .set('Authorization', `DPoP ${session.accessToken}`)
      .set('DPoP', await client.proof('GET', url, session.accessToken))
      .expect(200);
  });

  describe('each proof field wrong in turn is refused', () => {
    const cases: [string, string, (parts: Parameters<Parameters<typeof craftedProof>[4]>[0]) => void][] = [
      ['typ is not dpop+jwt', 'dpop_bad_typ', (p) => (p.header.typ = 'JWT')],
      ['no typ', 'dpop_bad_typ', (p) => delete p.header.typ],
      ['no jwk', 'dpop_bad_jwk', (p) => delete p.header.jwk],
      ['htm of another method', 'dpop_htm_mismatch', (p) => (p.claims.htm = 'POST')],
      ['htu of another host', 'dpop_htu_mismatch', (p) => (p.claims.htu = `http://evil.example${ME}`)],
      ['htu not a URL', 'dpop_htu_mismatch', (p) => (p.claims.htu = ME)],
      ['no htu', 'dpop_missing_claims', (p) => delete p.claims.htu],
      ['no htm', 'dpop_missing_claims', (p) => delete p.claims.htm],
      ['no jti', 'dpop_missing_claims', (p) => delete p.claims.jti],
      ['no iat', 'dpop_missing_claims', (p) => delete p.claims.iat],
      ['iat too old', 'dpop_iat_out_of_window', (p) => (p.claims.iat = (p.claims.iat as number) - 120)],
      ['iat in the future', 'dpop_iat_out_of_window', (p) => (p.claims.iat = (p.claims.iat as number) + 120)],
      ['ath of another token', 'dpop_ath_mismatch', (p) => (p.claims.ath = 'A'.repeat(43))],
      ['no ath', 'dpop_ath_mismatch', (p) => delete p.claims.ath],
    ];
    it.each(cases)('%s', async (_name, reason, change) => {
      const session = await loginDpop(t, user, client);
      const proof = await craftedProof(client, 'GET', `${t.baseUrl}${ME}`, session.accessToken, change);
      await t
        .http()
        .get(ME)
        .set('User-Agent', TEST_USER_AGENT)
        .set('Authorization', `DPoP ${session.accessToken}`)
        .set('DPoP', proof)
        .expect(401);
      expect(await lastRejection()).toMatchObject({ reason });
    });

    it('a private key in the jwk header', async () => {
      const session = await loginDpop(t, user, client);
      const careless = await generateJoseKeyPair('ES256', { extractable: true });
      const privateJwk = await exportJWK(careless.privateKey);
      const proof = await craftedProof(client, 'GET', `${t.baseUrl}${ME}`, session.accessToken, (p) => {
        p.header.jwk = privateJwk;
        p.signingKey = careless.privateKey;
      });
      expect((await sendWith(session.accessToken, proof)).status).toBe(401);
      expect(await lastRejection()).toMatchObject({ reason: 'dpop_bad_jwk' });
    });

    it('a signature by another key than the one in the header', async () => {
      const session = await loginDpop(t, user, client);
      const other = await generateJoseKeyPair('ES256');
      const proof = await craftedProof(client, 'GET', `${t.baseUrl}${ME}`, session.accessToken, (p) => {
        p.signingKey = other.privateKey;
      });
      expect((await sendWith(session.accessToken, proof)).status).toBe(401);
      expect(await lastRejection()).toMatchObject({ reason: 'dpop_bad_signature' });
    });

    it.each([
      ['none', ''],
      ['HS256', createHmac('sha256', 'guessable').update('x').digest('base64url')],
    ])('alg %s', async (alg, signature) => {
      const session = await loginDpop(t, user, client);
      const header = { alg, typ: 'dpop+jwt', jwk: await exportJWK(client.keyPair.publicKey) };
      const claims = { jti: 'j', htm: 'GET', htu: `${t.baseUrl}${ME}`, iat: Math.floor(Date.now() / 1000) };
      expect((await sendWith(session.accessToken, unsigned(header, claims, signature))).status).toBe(401);
      expect(await lastRejection()).toMatchObject({ reason: 'dpop_bad_alg' });
    });

    // Node joins repeated DPoP headers with ", " before the app sees them: this is what two headers become.
    it('two proofs in one request', async () => {
      const session = await loginDpop(t, user, client);
      const proof = await client.proof('GET', `${t.baseUrl}${ME}`, session.accessToken);
      await t
        .http()
        .get(ME)
        .set('User-Agent', TEST_USER_AGENT)
        .set('Authorization', `DPoP ${session.accessToken}`)
        .set('DPoP', `${proof}, ${proof}`)
        .expect(401);
      expect(await lastRejection()).toMatchObject({ reason: 'dpop_proof_malformed' });
    });

    async function sendWith(accessToken: string, proof: string): Promise<Response> {
      return await t
        .http()
        .get(ME)
        .set('User-Agent', TEST_USER_AGENT)
        .set('Authorization', `DPoP ${accessToken}`)
        .set('DPoP', proof);
    }
  });

  describe('refresh tokens are bound to the same key', () => {
    const refresh = async (refreshToken: string, proofBy?: DpopClient): Promise<Response> => {
      const request = t
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', TEST_USER_AGENT)
        .send({ transport: 'bearer', refreshToken });
      if (proofBy) request.set('DPoP', await proofBy.proof('POST', `${t.baseUrl}/api/auth/refresh`));
      return await request;
    };

    it('a refresh with a proof by the key gets a new bound token', async () => {
      const session = await loginDpop(t, user, client);
      const renewed = dpopSessionFrom(await refresh(session.refreshToken, client), client);
      expect(decodeJwt(renewed.accessToken).cnf).toEqual({ jkt: client.jkt });
      expect((await dpopGet(t, ME, renewed)).status).toBe(200);
    });

    it('a stolen bound refresh token used with another key is refused and spends nothing', async () => {
      const session = await loginDpop(t, user, client);
      expect((await refresh(session.refreshToken, await dpopClient())).status).toBe(401);
      const [failed] = await t.auditEvents({ type: 'refresh_failed', userId: user.id });
      expect(failed).toMatchObject({ reason: 'dpop_key_mismatch', sessionId: decodeJwt(session.accessToken).sid });
      expect((await refresh(session.refreshToken, client)).status).toBe(200);
    });

    it('a stolen bound refresh token without a proof is refused', async () => {
      const session = await loginDpop(t, user, client);
      expect((await refresh(session.refreshToken)).status).toBe(401);
      const [failed] = await t.auditEvents({ type: 'refresh_failed', userId: user.id });
      expect(failed).toMatchObject({ reason: 'dpop_proof_missing' });
    });

    it('an unbound refresh token cannot be bound to a key later', async () => {
      const session = await loginBearer(t, user);
      expect((await refresh(session.refreshToken, client)).status).toBe(401);
      const [failed] = await t.auditEvents({ type: 'refresh_failed', userId: user.id });
      expect(failed).toMatchObject({ reason: 'dpop_token_not_bound' });
    });
  });

  describe('at login', () => {
    it('an invalid proof is a 400 invalid_dpop_proof, audited', async () => {
      const proof = await craftedProof(client, 'POST', `${t.baseUrl}/api/auth/login`, undefined, (p) => {
        p.claims.htu = `${t.baseUrl}/api/auth/refresh`;
      });
      const response = await t
        .http()
        .post('/api/auth/login')
        .set('DPoP', proof)
        .send({ email: user.email, password: user.password, transport: 'bearer' })
        .expect(400);
      expect(messageOf(response)).toMatch(/^invalid_dpop_proof/);
      const [rejected] = await t.auditEvents({ type: 'dpop_proof_rejected' });
      expect(rejected).toMatchObject({ reason: 'dpop_htu_mismatch' });
    });

    it('DPoP is for the bearer transport: a cookie login with a proof is a 400', async () => {
      const response = await t
        .http()
        .post('/api/auth/login')
        .set('DPoP', await client.proof('POST', `${t.baseUrl}/api/auth/login`))
        .send({ email: user.email, password: user.password, transport: 'cookie' })
        .expect(400);
      expect(messageOf(response)).toMatch(/bearer/);
    });
  });

  it('proof failures a thief produces count for the anomaly rule: enough sources end the session', async () => {
    const session = await loginDpop(t, user, client);
    for (const userAgent of ['curl/8.5.0', 'python-requests/2.32', 'Go-http-client/2.0']) {
      await t
        .http()
        .get(ME)
        .set('User-Agent', userAgent)
        .set('Authorization', `Bearer ${session.accessToken}`)
        .expect(401);
    }
    const [revoked] = await t.auditEvents({ type: 'session_revoked', userId: user.id });
    expect(revoked).toMatchObject({ reason: 'fingerprint_mismatch' });
    expect((await dpopGet(t, ME, session)).status).toBe(401);
  });
});

describe('DPoP and tokens for other resource servers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { RESOURCE_AUDIENCES: 'https://reports.example.test' } });
  });
  afterAll(() => t.close());

  it('a DPoP session gets only tokens bound to its key: an exchange cannot shed the binding', async () => {
    const client = await dpopClient();
    const session = await loginDpop(t, await registerUser(t), client);
    const path = '/api/auth/resource-token';
    const response = await t
      .http()
      .post(path)
      .set('User-Agent', TEST_USER_AGENT)
      .set('Authorization', `DPoP ${session.accessToken}`)
      .set('DPoP', await client.proof('POST', `${t.baseUrl}${path}`, session.accessToken))
      .send({ resource: 'https://reports.example.test' })
      .expect(200);
    const token = bodyOf<ResourceToken>(response);
    expect(token.tokenType).toBe('DPoP');
    expect(decodeJwt(token.accessToken)).toMatchObject({
      aud: 'https://reports.example.test',
      cnf: { jkt: client.jkt },
    });
  });
});

describe('DPoP behind a trusted proxy', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t.close());

  it('htu is the URL the client used: scheme and host as forwarded by the trusted proxy', async () => {
    const user = await registerUser(t);
    const client = await dpopClient();
    const login = 'https://api.example.com/api/auth/login';
    const response = await t
      .http()
      .post('/api/auth/login')
      .set('User-Agent', TEST_USER_AGENT)
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'api.example.com')
      .set('DPoP', await client.proof('POST', login))
      .send({ email: user.email, password: user.password, transport: 'bearer' })
      .expect(200);
    const session = dpopSessionFrom(response, client);
    const me = 'https://api.example.com/api/users/me';
    const send = async (url: string): Promise<Response> =>
      await t
        .http()
        .get(ME)
        .set('User-Agent', TEST_USER_AGENT)
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'api.example.com')
        .set('Authorization', `DPoP ${session.accessToken}`)
        .set('DPoP', await client.proof('GET', url, session.accessToken));
    expect((await send(me)).status).toBe(200);
    // The address the app listens on is not what the client addressed.
    expect((await send(`${t.baseUrl}${ME}`)).status).toBe(401);
  });
});

describe('DPoP server nonces (DPOP_NONCE=true)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { DPOP_NONCE: 'true', CORS_ORIGINS: 'https://app.example.test' } });
  });
  afterAll(() => t.close());

  it('login, then a protected route: each asks for a nonce first (use_dpop_nonce), then accepts it', async () => {
    const user = await registerUser(t);
    const client = await dpopClient();
    const first = await t
      .http()
      .post('/api/auth/login')
      .set('DPoP', await client.proof('POST', `${t.baseUrl}/api/auth/login`))
      .send({ email: user.email, password: user.password, transport: 'bearer' })
      .expect(400);
    expect(messageOf(first)).toMatch(/^use_dpop_nonce/);
    const nonce = first.headers['dpop-nonce'];
    expect(nonce).toEqual(expect.any(String));
    const session = await loginDpop(t, user, client, nonce);

    const noNonce = await dpopGet(t, ME, session);
    expect(noNonce.status).toBe(401);
    expect(noNonce.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    const ok = await dpopGet(t, ME, session, noNonce.headers['dpop-nonce']);
    expect(ok.status).toBe(200);
    expect(ok.headers['dpop-nonce']).toEqual(expect.any(String));
  });

  it('a DPoP client in an allowed origin may send proofs and read the nonce (CORS)', async () => {
    const preflight = await t
      .http()
      .options(ME)
      .set('Origin', 'https://app.example.test')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization, dpop')
      .expect(204);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/\bdpop\b/);
    const answer = await t.http().get(ME).set('Origin', 'https://app.example.test').expect(401);
    expect(answer.headers['access-control-expose-headers']?.split(',')).toEqual(
      expect.arrayContaining(['dpop-nonce', 'www-authenticate']),
    );
  });

  it('a forged or expired nonce is refused', async () => {
    const user = await registerUser(t);
    const client = await dpopClient();
    const nonce = (
      await t
        .http()
        .post('/api/auth/login')
        .set('DPoP', await client.proof('POST', `${t.baseUrl}/api/auth/login`))
        .send({ email: user.email, password: user.password, transport: 'bearer' })
    ).headers['dpop-nonce'];
    const session = await loginDpop(t, user, client, nonce);
    const [period] = nonce.split('.');
    expect((await dpopGet(t, ME, session, `${period}.${'A'.repeat(43)}`)).status).toBe(401);
    t.clock.advance(11 * 60_000);
    expect((await dpopGet(t, ME, session, nonce)).status).toBe(401);
    const rejections = await t.auditEvents({ type: 'access_token_rejected', userId: user.id });
    expect(rejections.map((event) => event.reason)).toEqual(['dpop_nonce_invalid', 'dpop_nonce_invalid']);
  });
});
