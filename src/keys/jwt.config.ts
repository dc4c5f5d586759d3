import { appConfig } from '../config/app-settings';
import { duration, integer, list, oneOf, text } from '../config/readers';
import { defineSettings } from '../config/settings';

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** OWASP: access tokens are bearer credentials; past an hour a stolen one is worth too much. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 60 * 60;

/**
 * The tokens Warden signs and verifies: who issues them, for whom, with which algorithm (new keys are made
 * for it) and for how long. Here, beside the keys, because everything that signs or verifies builds on keys/.
 */
export const JWT_SETTINGS = {
  JWT_ISSUER: text(({ get }) => `http://localhost:${get(appConfig).port}`),
  JWT_AUDIENCE: text('warden-api'),
  JWT_ALG: oneOf(SIGNING_ALGORITHMS, 'ES256'),
  ACCESS_TOKEN_TTL: duration('15m', 1, MAX_ACCESS_TOKEN_TTL_SECONDS, 'access tokens cannot be recalled once issued'),
  /** Other resource servers a signed-in client may ask a token for (ASVS 5.0 9.2.4); each is an `aud`. */
  RESOURCE_AUDIENCES: list(),
  /** Verified access tokens remembered so their signature is checked once; 0 turns the cache off. */
  VERIFIED_TOKEN_CACHE_SIZE: integer(10_000, 0, 1_000_000),
};

export const jwtConfig = defineSettings('jwt', JWT_SETTINGS, (values, { problems }) => {
  const audience = values.JWT_AUDIENCE;
  for (const resource of values.RESOURCE_AUDIENCES) {
    if (resource === audience) problems.push(`RESOURCE_AUDIENCES must not list Warden's own audience (${audience})`);
    else if (/\s/.test(resource)) problems.push(`RESOURCE_AUDIENCES entries are single words or URIs: "${resource}"`);
  }
  return {
    issuer: values.JWT_ISSUER,
    audience,
    algorithm: values.JWT_ALG,
    accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL,
    resourceAudiences: values.RESOURCE_AUDIENCES,
    verifiedTokenCacheSize: values.VERIFIED_TOKEN_CACHE_SIZE,
  };
});
