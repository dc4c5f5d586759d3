import { parseDurationSeconds } from '../config/duration';
import { DURATION_HINT, duration, matching, OFF, secret } from '../config/readers';
import { decodeSecret } from '../config/secrets';
import { defineSettings } from '../config/settings';

/**
 * Clock skew between instances and verifiers that a retiring key's lifetime absorbs; it covers the
 * verifier's own tolerance (RFC 7519 §4.1.4) with room to spare.
 */
export const KEY_RETIRE_LEEWAY_SECONDS = 60;

export const KEY_SETTINGS = {
  /** Automatic rotation period, or off: keys then change only through `keys:rotate`. */
  KEY_ROTATION_INTERVAL: matching(/^(\d+\s*(s|m|h|d)?|off)$/, `KEY_ROTATION_INTERVAL must be off or ${DURATION_HINT}`),
  /** How often each instance re-reads the key table: the bound on picking up another instance's rotation. */
  KEY_REFRESH_INTERVAL: duration('30s', 1, 300, 'it bounds how long instances disagree on the signing key'),
  /** Cache-Control max-age of the JWKS and discovery documents. */
  JWKS_MAX_AGE: duration('5m', 0, 86_400),
  /** How long a next key is published before it signs; longer than any cache of the JWKS may be stale. */
  KEY_PREPUBLISH_LEAD: duration('1h', 1, 30 * 86_400),
  /** Accepted for opening private keys and TOTP secrets while KEY_ENCRYPTION_KEY changes; never used to seal. */
  KEY_ENCRYPTION_KEY_PREVIOUS: secret(),
};

export const keysConfig = defineSettings('keys', KEY_SETTINGS, (values, { problems }) => {
  const rotation = (values.KEY_ROTATION_INTERVAL ?? 'off').trim();
  const rotationIntervalSeconds = OFF.includes(rotation) ? null : (parseDurationSeconds(rotation) ?? null);
  const refreshIntervalSeconds = values.KEY_REFRESH_INTERVAL;
  const jwksMaxAgeSeconds = values.JWKS_MAX_AGE;
  const prepublishLeadSeconds = values.KEY_PREPUBLISH_LEAD;

  // A verifier may serve a JWKS up to max-age old, fetched up to one refresh after the key was published.
  if (prepublishLeadSeconds <= jwksMaxAgeSeconds + refreshIntervalSeconds) {
    problems.push(
      'KEY_PREPUBLISH_LEAD must be longer than JWKS_MAX_AGE + KEY_REFRESH_INTERVAL, so every cached JWKS ' +
        'holds the next key before it signs; raise KEY_PREPUBLISH_LEAD or lower JWKS_MAX_AGE',
    );
  }
  if (rotationIntervalSeconds !== null && rotationIntervalSeconds <= prepublishLeadSeconds) {
    problems.push('KEY_ROTATION_INTERVAL must be longer than KEY_PREPUBLISH_LEAD (default 1h), or off');
  }

  let previousEncryptionKey: Buffer | null = null;
  if (values.KEY_ENCRYPTION_KEY_PREVIOUS !== undefined) {
    const decoded = decodeSecret(values.KEY_ENCRYPTION_KEY_PREVIOUS.value);
    if ('problem' in decoded) problems.push(`KEY_ENCRYPTION_KEY_PREVIOUS ${decoded.problem}`);
    else previousEncryptionKey = decoded.bytes;
  }
  return {
    rotationIntervalSeconds,
    refreshIntervalSeconds,
    jwksMaxAgeSeconds,
    prepublishLeadSeconds,
    previousEncryptionKey,
  };
});
