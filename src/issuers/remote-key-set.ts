import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import type { Clock } from '../common/clock/clock';

/** At most one JWKS request per issuer per this long, whatever asks for it: unknown kids, expiry, failures. */
export const JWKS_REFETCH_INTERVAL_MS = 30_000;
/** Keys are refetched after the response's Cache-Control max-age, and never kept longer than this. */
export const JWKS_MAX_AGE_MS = 10 * 60_000;
/** While the issuer is unreachable, cached keys keep verifying this long past their max-age, then nothing does. */
export const JWKS_MAX_STALE_MS = 5 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;
type VerificationKey = Awaited<ReturnType<LocalKeySet>>;

export class KeySetUnavailableError extends Error {}
export class UnknownKeyError extends Error {}

/**
 * An external issuer's JWKS (RFC 7517), with the rules of examples/resource-server: fetches are
 * single-flight and rate-limited (so forged kids or a down issuer cannot turn traffic into requests), an
 * unknown kid triggers a refetch (how a rotated key is picked up), keys expire with the response's max-age
 * (how a key the issuer retired stops verifying here) and serve stale for a bounded time only. jose's
 * createRemoteJWKSet has the first two but retries a failing issuer on every request and ignores max-age.
 */
export class RemoteKeySet {
  private keys: LocalKeySet | undefined;
  private freshUntil = Number.NEGATIVE_INFINITY;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private jwksUri: URL | undefined;

  constructor(
    private readonly issuer: string,
    jwksUri: string | null,
    private readonly clock: Clock,
  ) {
    this.jwksUri = jwksUri === null ? undefined : new URL(jwksUri);
  }

  /** The key the header names, for jose's jwtVerify; throws UnknownKeyError or KeySetUnavailableError. */
  async keyFor(header: JWSHeaderParameters): Promise<VerificationKey> {
    const now = this.clock.now().getTime();
    if (now >= this.freshUntil || !this.has(header)) await this.refresh();
    if (!this.keys || this.clock.now().getTime() >= this.freshUntil + JWKS_MAX_STALE_MS) {
      throw new KeySetUnavailableError(`JWKS of ${this.issuer} unavailable`);
    }
    try {
      return await this.keys(header);
    } catch {
      throw new UnknownKeyError(`no key of ${this.issuer} matches kid ${String(header.kid)}`);
    }
  }

  private has(header: JWSHeaderParameters): boolean {
    return this.keys?.jwks()?.keys.some((key) => key.kid === header.kid) ?? false;
  }

  /** Joins a running fetch, or starts one if the last attempt is old enough; a failure keeps the old keys. */
  private async refresh(): Promise<void> {
    const now = this.clock.now().getTime();
    if (!this.inflight && now - this.lastAttempt >= JWKS_REFETCH_INTERVAL_MS) {
      this.lastAttempt = now;
      this.inflight = this.fetchKeys(now).finally(() => (this.inflight = undefined));
    }
    await this.inflight?.catch(() => undefined);
  }

  private async fetchKeys(startedAt: number): Promise<void> {
    this.jwksUri ??= await this.discoverJwksUri();
    const response = await getJson(this.jwksUri);
    const keySet = response.body as JSONWebKeySet;
    if (!Array.isArray(keySet?.keys)) throw new Error(`${this.jwksUri.href} is not a JWKS`);
    this.keys = createLocalJWKSet(keySet);
    const maxAge = Number(/max-age=(\d+)/.exec(response.cacheControl)?.[1] ?? Infinity) * 1000;
    this.freshUntil = startedAt + Math.min(maxAge, JWKS_MAX_AGE_MS);
  }

  /** OpenID Connect Discovery §4.3: the document must name this very issuer, or it is not this issuer's. */
  private async discoverJwksUri(): Promise<URL> {
    const base = this.issuer.replace(/\/+$/, '');
    const { body } = await getJson(new URL(`${base}/.well-known/openid-configuration`));
    const metadata = body as { issuer?: unknown; jwks_uri?: unknown };
    if (metadata.issuer !== this.issuer || typeof metadata.jwks_uri !== 'string') {
      throw new Error(`the discovery document of ${this.issuer} names another issuer or no jwks_uri`);
    }
    return new URL(metadata.jwks_uri);
  }
}

async function getJson(url: URL): Promise<{ body: unknown; cacheControl: string }> {
  // No redirects: the keys come from the configured or discovered URL, not wherever it points to.
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`${url.href} answered ${response.status}`);
  return { body: await response.json(), cacheControl: response.headers.get('cache-control') ?? '' };
}
