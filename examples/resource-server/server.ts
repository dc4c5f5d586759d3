/**
 * A third-party resource server that trusts Warden's access tokens knowing only the JWKS URL, verifying
 * them with jose (https://github.com/panva/jose), not by hand. jose's jwtVerify checks the signature,
 * `typ: at+jwt` (RFC 9068 §2.1), `iss`, `aud`, `exp` and the claims RFC 9068 §2.2 requires; the key set
 * picks the key by `kid` and accepts only the algorithm that key was published for (RFC 8725 §3.1).
 *
 * The JWKS fetching stays here, because jose's createRemoteJWKSet ignores Cache-Control and retries a
 * failing issuer on every request: the JWKS is refetched once its max-age has passed (that is how a key
 * Warden retired or revoked stops verifying here too); fetches are single-flight and at most one per
 * refetchIntervalSeconds; if they fail, the cached keys serve for at most maxStaleSeconds past max-age,
 * then every token is refused.
 *
 * Warden's fingerprint binding (`fgp`) is Warden's own check: a resource server cannot recompute it, so it
 * verifies signature and claims only. Nor does it see Warden's revocations: after a logout, logout-all,
 * reuse detection or a demotion, a token keeps passing here until its `exp` (ACCESS_TOKEN_TTL, 15 minutes
 * by default). Keep that TTL short, and do not let a resource server grant anything irreversible on the
 * `roles` claim alone.
 *
 * A DPoP-bound token (`cnf.jkt`, RFC 9449) passes only as `Authorization: DPoP <token>` with a valid
 * proof by its key (dpop.ts), so a token stolen from a client that uses DPoP is useless here too.
 *
 * Audience (ASVS 5.0 9.2.4): the example has its own (`WARDEN_AUDIENCE`, default http://localhost:4000),
 * listed in Warden's RESOURCE_AUDIENCES. A client asks Warden for a token for it with
 * `POST /api/auth/resource-token {"resource": "http://localhost:4000"}`; Warden's own `warden-api` tokens,
 * and tokens for any other resource, fail the `aud` check here.
 *
 * Entry point: main.ts (see README). Depends on jose only (`npm install jose`), an ES module that
 * `require` loads from Node 22.12 on.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createDpopVerifier } from './dpop';
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters, jwtVerify, type JWTPayload } from 'jose';

export interface ResourceServerOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** At most one JWKS fetch per this many seconds (default 30), whatever triggers it: unknown kids, an
   * expired cache, Warden being down. Concurrent requests share one fetch. */
  refetchIntervalSeconds?: number;
  /** While refetching fails, the stale keys keep verifying for at most this long past max-age (default
   * 300): the bound on how long a key Warden retired or revoked may verify here if Warden is unreachable. */
  maxStaleSeconds?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  /** Scheme and host clients address this server by (behind a proxy: its public origin). Default: the Host header over http. */
  publicOrigin?: string;
}

/** Warden's signing algorithms; each published key names the one it is for. */
const ALGORITHMS = ['ES256', 'RS256', 'PS256'];

export function createVerifier(options: ResourceServerOptions) {
  const minimumGap = (options.refetchIntervalSeconds ?? 30) * 1000;
  const maxStale = (options.maxStaleSeconds ?? 300) * 1000;
  const now = options.now ?? Date.now;
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let kids = new Set<string | undefined>();
  let lastAttempt = Number.NEGATIVE_INFINITY;
  /** Until when the cached JWKS may be used (RFC 9111 §4.2: max-age); stale means refetch first. */
  let freshUntil = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;

  async function fetchKeys(): Promise<void> {
    const startedAt = now();
    const response = await fetch(options.jwksUrl, { redirect: 'error', signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`JWKS fetch failed: ${response.status}`);
    const maxAge = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '')?.[1];
    const jwks = (await response.json()) as JSONWebKeySet;
    keys = createLocalJWKSet(jwks);
    kids = new Set(jwks.keys.map((jwk) => jwk.kid));
    freshUntil = startedAt + Number(maxAge ?? 0) * 1000;
  }

  /** Single flight, rate-limited: joins a running fetch, starts one only minimumGap after the last attempt. */
  async function refresh(): Promise<void> {
    if (!inflight && now() - lastAttempt >= minimumGap) {
      lastAttempt = now();
      inflight = fetchKeys().finally(() => (inflight = undefined));
    }
    // A failed fetch leaves the cached keys in place, within the maxStale bound checked below.
    await inflight?.catch(() => undefined);
  }

  async function keyFor(header: JWSHeaderParameters) {
    // An expired cache, or a new kid (maybe a key Warden just rotated to): refetch, within the limits.
    if (now() >= freshUntil || !kids.has(header.kid)) await refresh();
    if (now() >= freshUntil + maxStale) throw new Error('JWKS unavailable: cached keys are too stale');
    if (!keys || !kids.has(header.kid)) throw new Error('unknown key');
    return keys(header);
  }

  /** The token's claims, or throws. */
  return async function verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, keyFor, {
      issuer: options.issuer,
      audience: options.audience,
      typ: 'at+jwt',
      algorithms: ALGORITHMS,
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'client_id'],
      clockTolerance: 5,
      currentDate: new Date(now()),
    });
    return payload;
  };
}

/** GET /whoami answers `{sub, roles}` for a valid Warden access token, 401 otherwise. */
export function createResourceServer(options: ResourceServerOptions): Server {
  const verify = createVerifier(options);
  const verifyProof = createDpopVerifier({ now: options.now });
  return createServer((request: IncomingMessage, response) => {
    const [, scheme, token] = /^(Bearer|DPoP) (.+)$/.exec(request.headers.authorization ?? '') ?? [];
    const reply = (status: number, body: unknown) => {
      const challenge = status === 401 ? { 'www-authenticate': 'Bearer, DPoP' } : {};
      response.writeHead(status, { 'content-type': 'application/json', ...challenge }).end(JSON.stringify(body));
    };
    if (!token) return reply(401, { error: 'missing token' });
    const authenticate = async () => {
      const claims = await verify(token);
      const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
      // RFC 9449 §7.1: a bound token only with the DPoP scheme and a proof; the DPoP scheme only for one.
      if (jkt !== undefined || scheme === 'DPoP') {
        if (typeof jkt !== 'string' || scheme !== 'DPoP') throw new Error('token and scheme disagree');
        const origin = options.publicOrigin ?? `http://${request.headers.host ?? ''}`;
        const proof = request.headers.dpop;
        await verifyProof({
          proof: typeof proof === 'string' ? proof : undefined,
          method: request.method ?? '',
          url: `${origin}${request.url ?? ''}`,
          accessToken: token,
          jkt,
        });
      }
      return claims;
    };
    authenticate().then(
      (claims) => reply(200, { sub: claims.sub, roles: claims.roles }),
      () => reply(401, { error: 'invalid token' }),
    );
  });
}

export function main(): void {
  const server = createResourceServer({
    jwksUrl: process.env.WARDEN_JWKS_URL ?? 'http://localhost:3000/.well-known/jwks.json',
    issuer: process.env.WARDEN_ISSUER ?? 'http://localhost:3000',
    // Its own audience, listed in Warden's RESOURCE_AUDIENCES: Warden's own warden-api tokens are refused here.
    audience: process.env.WARDEN_AUDIENCE ?? 'http://localhost:4000',
  });
  const port = Number(process.env.PORT ?? 4000);
  server.listen(port, () => console.log(`Resource server on http://localhost:${port}/whoami`));
}
