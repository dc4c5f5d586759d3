import { duration, splitList, text } from '../config/readers';
import { defineSettings } from '../config/settings';
import { jwtConfig } from '../keys/jwt.config';

export const MFA_SETTINGS = {
  /** How recent an authentication must be for a @RequiresRecentAuth() route (OIDC max_age). */
  STEP_UP_MAX_AGE: duration('10m', 1, 86_400),
  /** WebAuthn relying party: the domain passkeys are scoped to, and the page origins allowed to use them. */
  WEBAUTHN_RP_ID: text(),
  WEBAUTHN_ORIGINS: text(),
};

/** Passkeys default to the issuer's host and origin, which is where the browser client is served. */
export const mfaConfig = defineSettings('mfa', MFA_SETTINGS, (values, { get, problems }) => {
  let issuerUrl: URL | undefined;
  try {
    issuerUrl = new URL(get(jwtConfig).issuer);
  } catch {
    // JWT_ISSUER is reported by its own check.
  }
  const configured = values.WEBAUTHN_ORIGINS;
  const origins = configured ? splitList(configured) : issuerUrl ? [issuerUrl.origin] : [];
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      problems.push(`WEBAUTHN_ORIGINS: ${origin} is not an origin (scheme://host[:port], no path)`);
    }
  }
  const rpId = values.WEBAUTHN_RP_ID ?? issuerUrl?.hostname ?? 'localhost';
  // WebAuthn §5.1.4: the RP ID must be the origin's host or a registrable suffix of it.
  for (const origin of origins.filter((o) => URL.canParse(o))) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      problems.push(`WEBAUTHN_RP_ID: ${rpId} is neither the host of ${origin} nor a parent domain of it`);
    }
  }
  return { stepUpMaxAgeSeconds: values.STEP_UP_MAX_AGE, webauthn: { rpId, origins } };
});
