import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload, type JWK } from 'oidc-provider';

/**
 * A real, certified OpenID provider (panva's oidc-provider) on a free loopback port, issuing RFC 9068 JWT
 * access tokens through the client-credentials grant. Stands in for Keycloak, Auth0 & co. in the tests of
 * Warden's external issuers.
 */
export interface TestOpenIdProvider {
  issuer: string;
  /** An access token for `resource` (its `aud`), signed with `alg`, carrying `roles`. */
  accessToken: (options?: {
    resource?: string;
    alg?: 'ES256' | 'RS256';
    roles?: string[];
    /** Signs a DPoP proof for the token endpoint: the provider then binds the token to that key (cnf.jkt). */
    dpop?: (tokenEndpoint: string) => Promise<string>;
  }) => Promise<string>;
  /** Replaces every signing key with new ones (new kids), as a provider's key rotation eventually does. */
  rotateKeys: () => void;
  /** How many times the JWKS was fetched. */
  jwksFetches: () => number;
  close: () => Promise<void>;
}

export const CLIENT_ID = 'reports-service';

function signingKeys(): JWK[] {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return [
    { ...ec, kid: randomUUID(), alg: 'ES256', use: 'sig' },
    { ...rsa, kid: randomUUID(), alg: 'RS256', use: 'sig' },
  ] as JWK[];
}

export async function startOpenIdProvider(): Promise<TestOpenIdProvider> {
  const clientSecret = randomBytes(32).toString('base64url');
  let provider: Provider | undefined;
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/jwks') fetches += 1;
    void provider!.callback()(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // What the next token request gets; the provider reads them while it issues the token.
  let next: { alg: 'ES256' | 'RS256'; roles: string[] } = { alg: 'ES256', roles: [] };
  // Client-credentials JWT access tokens are stateless; a plain Map keeps the provider's dev warning quiet.
  const store = new Map<string, AdapterPayload>();
  const adapter = (model: string): Adapter => ({
    upsert: (id, payload) => Promise.resolve(void store.set(`${model}:${id}`, payload)),
    find: (id) => Promise.resolve(store.get(`${model}:${id}`)),
    findByUserCode: () => Promise.resolve(undefined),
    findByUid: () => Promise.resolve(undefined),
    consume: () => Promise.resolve(),
    destroy: (id) => Promise.resolve(void store.delete(`${model}:${id}`)),
    revokeByGrantId: () => Promise.resolve(),
  });
  const makeProvider = (keys: JWK[]) =>
    new Provider(issuer, {
      adapter,
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      ttl: { ClientCredentials: 300 },
      clients: [
        {
          client_id: CLIENT_ID,
          client_secret: clientSecret,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        },
      ],
      jwks: { keys },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        dPoP: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => 'https://api.warden.test',
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => ({
            audience: resource,
            scope: 'notes:read',
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: next.alg } },
          }),
        },
      },
      extraTokenClaims: () => ({ groups: next.roles }),
    });
  provider = makeProvider(signingKeys());

  return {
    issuer,
    accessToken: async ({ resource = 'https://api.warden.test', alg = 'ES256', roles = [], dpop } = {}) => {
      next = { alg, roles };
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          ...(dpop ? { DPoP: await dpop(`${issuer}/token`) } : {}),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'notes:read' }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!response.ok || !body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    rotateKeys: () => {
      provider = makeProvider(signingKeys());
    },
    jwksFetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // Warden's keep-alive connections to the JWKS
      }),
  };
}
