import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { refreshBearer } from './factories/sessions';
import { bearerFrom, loginBearer, loginCookie, registerUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * Warden's tokens and metadata through independent, standard implementations (panva's jose, oauth4webapi
 * and openid-client), against a live Warden. A change that breaks a standard resource server fails here.
 */
describe('independent validators accept Warden', () => {
  let warden: TestApp;
  let issuer: string;
  let audience: string;
  /** Warden's public URLs name JWT_ISSUER; in the tests they are served from an ephemeral port. */
  let toWarden: (url: URL | string, init?: RequestInit) => Promise<Response>;

  beforeAll(async () => {
    warden = await createTestApp();
    const discovery = await warden.http().get('/.well-known/openid-configuration').expect(200);
    issuer = (discovery.body as { issuer: string }).issuer;
    audience = 'warden-api';
    toWarden = (url, init) => fetch(String(url).replace(issuer.replace(/\/+$/, ''), warden.baseUrl), init);
  });
  afterAll(() => warden.close());

  async function bearerToken(): Promise<string> {
    return (await loginBearer(warden, await registerUser(warden))).accessToken;
  }

  describe('oauth4webapi', () => {
    const options = () => ({ [oauth.customFetch]: toWarden, [oauth.allowInsecureRequests]: true });

    async function authorizationServer(): Promise<oauth.AuthorizationServer> {
      const response = await oauth.discoveryRequest(new URL(issuer), options());
      return oauth.processDiscoveryResponse(new URL(issuer), response);
    }

    it('processes the discovery document', async () => {
      const as = await authorizationServer();
      expect(as.issuer).toBe(issuer);
      expect(as.jwks_uri).toBe(`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`);
    });

    it('validateJwtAccessToken (RFC 9068) accepts a bearer and a cookie access token', async () => {
      const as = await authorizationServer();
      const user = await registerUser(warden);
      const tokens = [(await loginBearer(warden, user)).accessToken, (await loginCookie(warden, user)).access];
      const clients = [];
      for (const token of tokens) {
        const request = new Request('https://resource.example/notes', {
          headers: { authorization: `Bearer ${token}` },
        });
        const claims = await oauth.validateJwtAccessToken(as, request, audience, options());
        expect(claims).toMatchObject({ iss: issuer, aud: audience, sub: user.id });
        clients.push(claims.client_id);
      }
      expect(clients).toEqual(['warden-bearer', 'warden-browser']);
    });

    it('validateJwtAccessToken still refuses a token for another audience', async () => {
      const as = await authorizationServer();
      const request = new Request('https://resource.example/notes', {
        headers: { authorization: `Bearer ${await bearerToken()}` },
      });
      await expect(oauth.validateJwtAccessToken(as, request, 'another-api', options())).rejects.toThrow(/aud/);
    });
  });

  describe('jose', () => {
    it('jwtVerify with the remote JWKS, typ and audience checked', async () => {
      const jwks = createRemoteJWKSet(new URL(`${warden.baseUrl}/.well-known/jwks.json`));
      const token = await bearerToken();
      const verified = await jwtVerify(token, jwks, {
        issuer,
        audience,
        typ: 'at+jwt',
        algorithms: ['ES256'],
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'client_id'],
      });
      expect(verified.protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      await expect(jwtVerify(token, jwks, { issuer, audience: 'another-api' })).rejects.toThrow(/aud/);
      await expect(jwtVerify(token, jwks, { issuer, audience, typ: 'JWT' })).rejects.toThrow(/typ/);
    });
  });

  describe('openid-client', () => {
    it('discovers Warden as an issuer', async () => {
      const configuration = await client.discovery(new URL(issuer), 'warden-bearer', undefined, undefined, {
        [client.customFetch]: toWarden,
        execute: [client.allowInsecureRequests],
      });
      expect(configuration.serverMetadata()).toMatchObject({
        issuer,
        jwks_uri: `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
      });
    });
  });

  it('auth_time stays the time of the login across refreshes (RFC 9068 §2.2.1)', async () => {
    const session = await loginBearer(warden, await registerUser(warden));
    const loggedInAt = decodeJwt(session.accessToken).auth_time;
    warden.clock.advance(60_000);
    const refreshed = bearerFrom(await refreshBearer(warden, session.refreshToken).expect(200));
    const claims = decodeJwt(refreshed.accessToken);
    expect(claims.auth_time).toBe(loggedInAt);
    expect(claims.iat).toBeGreaterThanOrEqual((loggedInAt as number) + 60);
  });
});
