import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { respelled } from './factories/tokens';
import { loginBearer, registerUser } from './factories/users';
import { bodyOf, type Principal } from './helpers/api';
import { cookieHeader } from './helpers/cookies';
import { CLIENT_ID, startOpenIdProvider, TestOpenIdProvider } from './helpers/oidc-provider';
import { dpopClient, type DpopClient } from './helpers/dpop';
import { createTestApp, TestApp } from './helpers/test-app';

const AUDIENCE = 'https://api.warden.test';

/**
 * EXTERNAL_ISSUERS against a real, certified OpenID provider (panva's oidc-provider) issuing real RFC 9068
 * access tokens: accepted under configuration, refused on every attack the configuration rules out.
 */
describe('external issuers in the global guard', () => {
  let op: TestOpenIdProvider;
  let warden: TestApp;

  beforeEach(async () => {
    op = await startOpenIdProvider();
    const trusted = {
      issuer: op.issuer,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      rolesClaim: 'groups',
      roles: { 'warden-admins': 'admin', staff: 'user' },
    };
    warden = await createTestApp({ env: { EXTERNAL_ISSUERS: JSON.stringify([trusted]) } });
  });
  afterEach(async () => {
    await warden.close();
    await op.close();
  });

  const principal = (token: string) => warden.http().get('/api/auth/principal').set('Authorization', `Bearer ${token}`);
  // Rejections without a Warden user share a row per source and reason (with a count): one entry per request.
  const rejections = async () =>
    (await warden.auditEvents({ type: 'access_token_rejected' })).flatMap((event) =>
      Array<string | null>(event.count).fill(event.reason),
    );

  it("accepts the provider's token as the same principal type, marked with its issuer and mapped roles", async () => {
    const token = await op.accessToken({ roles: ['warden-admins', 'staff', 'unmapped'] });
    const response = await principal(token).expect(200);
    expect(response.body).toEqual({
      issuer: op.issuer,
      sub: CLIENT_ID,
      roles: ['admin', 'user'],
      transport: 'bearer',
      expiresAt: new Date((decodeJwt(token).exp as number) * 1000).toISOString(),
    });
    // A principal without mapped roles gets none.
    expect(bodyOf<Principal>(await principal(await op.accessToken()).expect(200)).roles).toEqual([]);
  });

  it('keeps external principals off routes that act on Warden accounts and sessions', async () => {
    const token = await op.accessToken({ roles: ['warden-admins'] });
    for (const path of ['/api/users/me', '/api/auth/sessions', '/api/admin/audit']) {
      await warden.http().get(path).set('Authorization', `Bearer ${token}`).expect(401);
    }
    await warden.http().post('/api/auth/logout-all').set('Authorization', `Bearer ${token}`).expect(401);
    expect(await rejections()).toEqual(Array(4).fill('external_issuer_not_accepted'));
  });

  it("still verifies Warden's own tokens, on its own routes and on the shared one", async () => {
    const user = await registerUser(warden);
    const session = await loginBearer(warden, user);
    await warden.http().get('/api/users/me').set(session.headers).expect(200);
    const response = await warden.http().get('/api/auth/principal').set(session.headers).expect(200);
    expect(response.body).toMatchObject({ issuer: decodeJwt(session.accessToken).iss, sub: user.id, roles: ['user'] });
  });

  it.each([
    ['another audience', () => op.accessToken({ resource: 'https://another-api.test' }), 'bad_audience'],
    ['an algorithm the configuration does not allow', () => op.accessToken({ alg: 'RS256' }), 'bad_alg'],
  ])('refuses a token for %s', async (_case, token, reason) => {
    await principal(await token()).expect(401);
    expect(await rejections()).toEqual([reason]);
  });

  it("refuses the provider's token with its last signature character changed (non-canonical base64url)", async () => {
    const token = await op.accessToken();
    await principal(token).expect(200);
    const [header, payload, signature] = token.split('.');
    await principal(`${header}.${payload}.${respelled(signature)}`).expect(401);
    expect(await rejections()).toEqual(['malformed']);
  });

  it('refuses an expired token', async () => {
    const token = await op.accessToken();
    await principal(token).expect(200);
    warden.clock.advance(((decodeJwt(token).exp as number) - (decodeJwt(token).iat as number) + 6) * 1000);
    await principal(token).expect(401);
    expect(await rejections()).toEqual(['expired']);
  });

  it('refuses a token of an issuer that is not configured, without fetching anything', async () => {
    const stranger = await startOpenIdProvider();
    try {
      await principal(await stranger.accessToken()).expect(401);
      expect(stranger.jwksFetches()).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  it('refuses a token naming the trusted issuer but signed with another key', async () => {
    const genuine = await op.accessToken();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT(decodeJwt(genuine))
      .setProtectedHeader({ ...decodeProtectedHeader(genuine), alg: 'ES256' })
      .sign(privateKey);
    await principal(forged).expect(401);
    expect(await rejections()).toEqual(['bad_signature']);
  });

  it('follows a key rotation: the new kid is fetched, the removed one refused, forged kids fetch nothing', async () => {
    const before = await op.accessToken();
    await principal(before).expect(200);
    expect(op.jwksFetches()).toBe(1);

    op.rotateKeys();
    const after = await op.accessToken();
    // Within the refetch interval an unknown kid is refused without a request...
    await principal(after).expect(401);
    expect(op.jwksFetches()).toBe(1);
    // ...after it, the unknown kid triggers one refetch, which finds the new key.
    warden.clock.advance(31_000);
    await Promise.all([principal(after).expect(200), principal(after).expect(200)]);
    expect(op.jwksFetches()).toBe(2);
    // The rotated-out key is gone from the JWKS: its tokens are refused, and asking again fetches nothing.
    await principal(before).expect(401);
    const forged = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'forged' })).toString('base64url')}.${after.split('.').slice(1).join('.')}`;
    await principal(forged).expect(401);
    expect(op.jwksFetches()).toBe(2);
    expect(await rejections()).toEqual(['unknown_kid', 'unknown_kid', 'unknown_kid']);
  });

  it("a provider's DPoP-bound token passes only under the DPoP scheme with a proof by its key", async () => {
    const client = await dpopClient();
    const token = await op.accessToken({ dpop: (tokenEndpoint) => client.proof('POST', tokenEndpoint) });
    expect(decodeJwt(token).cnf).toEqual({ jkt: client.jkt });
    const url = `${warden.baseUrl}/api/auth/principal`;
    await principal(token).expect(401);
    const withProof = async (by: DpopClient) =>
      warden
        .http()
        .get('/api/auth/principal')
        .set('Authorization', `DPoP ${token}`)
        .set('DPoP', await by.proof('GET', url, token));
    expect((await withProof(client)).status).toBe(200);
    expect((await withProof(await dpopClient())).status).toBe(401);
    expect(await rejections()).toEqual(['dpop_bound_token_as_bearer', 'dpop_key_mismatch']);
  });

  it("refuses an external token in Warden's access cookie", async () => {
    const token = await op.accessToken();
    await warden
      .http()
      .get('/api/auth/principal')
      .set('Cookie', cookieHeader({ '__Host-access': token, '__Host-fgp': 'x' }))
      .expect(401);
    expect(await rejections()).toEqual(['bad_issuer']);
  });
});

describe('without EXTERNAL_ISSUERS', () => {
  it("refuses every other issuer's token and never contacts it", async () => {
    const op = await startOpenIdProvider();
    const warden = await createTestApp();
    try {
      await warden
        .http()
        .get('/api/auth/principal')
        .set('Authorization', `Bearer ${await op.accessToken()}`)
        .expect(401);
      expect(op.jwksFetches()).toBe(0);
    } finally {
      await warden.close();
      await op.close();
    }
  });
});
