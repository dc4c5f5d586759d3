import { generateKeyPairSync } from 'node:crypto';
import type { Clock } from '../common/clock/clock';
import {
  JWKS_MAX_AGE_MS,
  JWKS_MAX_STALE_MS,
  JWKS_REFETCH_INTERVAL_MS,
  KeySetUnavailableError,
  RemoteKeySet,
  UnknownKeyError,
} from './remote-key-set';

const ISSUER = 'https://idp.example.com';
const JWKS_URI = 'https://idp.example.com/certs';

function jwk(kid: string) {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { ...key, kid, alg: 'ES256', use: 'sig' };
}

describe('RemoteKeySet', () => {
  let now: number;
  const clock = { now: () => new Date(now) } as Clock;
  let served: { keys: object[] };
  let cacheControl: string | undefined;
  let fetches: jest.SpyInstance;
  const header = (kid: string) => ({ alg: 'ES256', kid });

  beforeEach(() => {
    now = Date.UTC(2026, 0, 1);
    served = { keys: [jwk('one')] };
    cacheControl = 'public, max-age=300';
    fetches = jest.spyOn(globalThis, 'fetch').mockImplementation(() => {
      const headers = cacheControl ? { 'cache-control': cacheControl } : undefined;
      return Promise.resolve(new Response(JSON.stringify(served), { status: 200, headers }));
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('shares one fetch among concurrent first requests', async () => {
    const keys = new RemoteKeySet(ISSUER, JWKS_URI, clock);
    await Promise.all(Array.from({ length: 20 }, () => keys.keyFor(header('one'))));
    expect(fetches).toHaveBeenCalledTimes(1);
  });

  it('refetches for an unknown kid at most once per interval', async () => {
    const keys = new RemoteKeySet(ISSUER, JWKS_URI, clock);
    await keys.keyFor(header('one'));
    for (let i = 0; i < 5; i += 1) await expect(keys.keyFor(header('forged'))).rejects.toThrow(UnknownKeyError);
    expect(fetches).toHaveBeenCalledTimes(1);
    served = { keys: [jwk('one'), jwk('two')] };
    now += JWKS_REFETCH_INTERVAL_MS;
    await expect(keys.keyFor(header('two'))).resolves.toBeDefined();
    expect(fetches).toHaveBeenCalledTimes(2);
  });

  it("drops a removed key once the response's max-age has passed, and never keeps keys past the cap", async () => {
    const keys = new RemoteKeySet(ISSUER, JWKS_URI, clock);
    await keys.keyFor(header('one'));
    served = { keys: [jwk('two')] };
    now += 299_000;
    await expect(keys.keyFor(header('one'))).resolves.toBeDefined();
    now += 1_000;
    await expect(keys.keyFor(header('one'))).rejects.toThrow(UnknownKeyError);

    cacheControl = undefined;
    const uncapped = new RemoteKeySet(ISSUER, JWKS_URI, clock);
    await uncapped.keyFor(header('two'));
    now += JWKS_MAX_AGE_MS;
    await uncapped.keyFor(header('two'));
    expect(fetches).toHaveBeenCalledTimes(4);
  });

  it('with the issuer down, serves stale keys for a bounded time, fetching once per interval', async () => {
    const keys = new RemoteKeySet(ISSUER, JWKS_URI, clock);
    await keys.keyFor(header('one'));
    fetches.mockRejectedValue(new Error('connection refused'));
    now += 300_000;
    for (let i = 0; i < 10; i += 1) await expect(keys.keyFor(header('one'))).resolves.toBeDefined();
    expect(fetches).toHaveBeenCalledTimes(2);
    now += JWKS_MAX_STALE_MS;
    await expect(keys.keyFor(header('one'))).rejects.toThrow(KeySetUnavailableError);
    expect(fetches).toHaveBeenCalledTimes(3);
  });

  it('finds the JWKS through discovery, and refuses a document naming another issuer', async () => {
    const discovery = (issuer: string) => ({ issuer, jwks_uri: JWKS_URI });
    fetches.mockImplementation((url: URL) =>
      Promise.resolve(Response.json(String(url).endsWith('openid-configuration') ? discovery(ISSUER) : served)),
    );
    await expect(new RemoteKeySet(ISSUER, null, clock).keyFor(header('one'))).resolves.toBeDefined();
    expect(fetches.mock.calls.map(([url]) => String(url))).toEqual([
      `${ISSUER}/.well-known/openid-configuration`,
      JWKS_URI,
    ]);

    fetches.mockImplementation((url: URL) =>
      Promise.resolve(
        Response.json(String(url).endsWith('openid-configuration') ? discovery('https://evil.example') : served),
      ),
    );
    await expect(new RemoteKeySet(ISSUER, null, clock).keyFor(header('one'))).rejects.toThrow(KeySetUnavailableError);
  });
});
