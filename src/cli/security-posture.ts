import type { Settings } from '../app.config';
import { SECRET_SETTINGS } from '../config/secrets';
import { publicTrustProxyEntries } from '../config/trust-proxy';
import { smtpTransportSecurity } from '../mail/mail.config';

export type Verdict = 'OK' | 'WARN' | 'FAIL';

export interface PostureFinding {
  setting: string;
  verdict: Verdict;
  /** What holds now and, unless OK, what to change. */
  message: string;
}

/** Access tokens cannot be recalled; OWASP suggests minutes. Longer is allowed (≤ 60m) but flagged. */
const ACCESS_TOKEN_TTL_ADVICE_SECONDS = 15 * 60;
const REFRESH_TOKEN_TTL_ADVICE_SECONDS = 30 * 24 * 60 * 60;
/** NIST SP 800-57 cryptoperiods for signing keys are 1-3 years; rotating far more often is cheap here. */
const ROTATION_ADVICE_SECONDS = 90 * 24 * 60 * 60;
/**
 * A step-up proves the person is still there. NIST SP 800-63B §4.2.3 has AAL2 sessions re-authenticate after
 * 30 minutes of inactivity; a window beyond an hour is flagged.
 */
const STEP_UP_ADVICE_SECONDS = 60 * 60;

const ok = (setting: string, message: string): PostureFinding => ({ setting, verdict: 'OK', message });
const warn = (setting: string, message: string): PostureFinding => ({ setting, verdict: 'WARN', message });
const fail = (setting: string, message: string): PostureFinding => ({ setting, verdict: 'FAIL', message });

/**
 * The security posture of a loaded configuration: one finding per rule, FAIL for what an attacker can
 * exploit, WARN for what weakens a defence. What only matters in production (development secrets, plain
 * HTTP, the lab) is FAIL there and WARN elsewhere, so a development setup gets its to-do list for going
 * live without failing. `security:check` prints it.
 */
export function securityPosture(settings: Settings): PostureFinding[] {
  const { app, jwt, session, keys, mfa } = settings;
  const findings: PostureFinding[] = [];
  const beforeProduction = app.nodeEnv === 'production' ? fail : warn;

  findings.push(
    app.nodeEnv === 'production'
      ? ok('NODE_ENV', 'production: weak, missing and development secrets are refused at start-up')
      : warn('NODE_ENV', `${app.nodeEnv}: set NODE_ENV=production where Warden serves real users`),
  );

  for (const name of SECRET_SETTINGS) {
    const source = settings.secrets.sources[name];
    findings.push(
      source === 'generated'
        ? beforeProduction(
            name,
            `development value from var/dev-secrets.json; set ${name} (or ${name}_FILE) from secrets:generate`,
          )
        : source === 'missing'
          ? beforeProduction(
              name,
              `not set; the server will generate a development value into var/dev-secrets.json; ` +
                `set ${name} (or ${name}_FILE) from secrets:generate`,
            )
          : ok(name, `at least 256 bits, from ${source === 'file' ? `${name}_FILE` : 'the environment'}`),
    );
  }

  findings.push(
    keys.previousEncryptionKey
      ? warn(
          'KEY_ENCRYPTION_KEY_PREVIOUS',
          'still set: run keys:rewrap, then remove it so the old key can be destroyed',
        )
      : ok('KEY_ENCRYPTION_KEY_PREVIOUS', 'not set'),
  );

  findings.push(
    app.cookieSecure
      ? ok('COOKIE_SECURE', 'cookies carry the Secure flag')
      : beforeProduction('COOKIE_SECURE', 'false: cookies would travel over plain HTTP; set COOKIE_SECURE=true'),
  );

  const accessTtl = jwt.accessTokenTtlSeconds;
  findings.push(
    accessTtl > ACCESS_TOKEN_TTL_ADVICE_SECONDS
      ? warn('ACCESS_TOKEN_TTL', `${accessTtl}s: a stolen token lives that long; prefer 15m or less`)
      : ok('ACCESS_TOKEN_TTL', `${accessTtl}s`),
  );
  const refreshTtl = session.refreshTokenTtlSeconds;
  findings.push(
    refreshTtl > REFRESH_TOKEN_TTL_ADVICE_SECONDS
      ? warn('REFRESH_TOKEN_TTL', `${refreshTtl}s: idle sessions stay open over 30 days; shorten REFRESH_TOKEN_TTL`)
      : ok('REFRESH_TOKEN_TTL', `${refreshTtl}s`),
  );
  findings.push(
    session.reuseGraceSeconds > 0
      ? warn(
          'REFRESH_REUSE_GRACE',
          `${session.reuseGraceSeconds}s: a stolen refresh token can be replayed that long unnoticed; prefer 0`,
        )
      : ok('REFRESH_REUSE_GRACE', '0s: any reuse of a spent refresh token revokes the session'),
  );

  findings.push(ok('JWT_ALG', `${jwt.algorithm}; each key verifies only the algorithm it was made for`));
  const rotation = keys.rotationIntervalSeconds;
  findings.push(
    rotation === null
      ? warn('KEY_ROTATION_INTERVAL', 'off: keys change only with keys:rotate; set e.g. KEY_ROTATION_INTERVAL=30d')
      : rotation > ROTATION_ADVICE_SECONDS
        ? warn('KEY_ROTATION_INTERVAL', `${rotation}s: rotate at least every 90d`)
        : ok('KEY_ROTATION_INTERVAL', `${rotation}s, next key published ${keys.prepublishLeadSeconds}s ahead`),
  );

  const publicProxies = app.trustProxy === false ? [] : publicTrustProxyEntries(app.trustProxy);
  findings.push(
    app.trustProxy === false
      ? ok('TRUST_PROXY', 'X-Forwarded-For is ignored; client IPs are socket addresses')
      : publicProxies.length > 0
        ? warn(
            'TRUST_PROXY',
            `${publicProxies.join(', ')} may hold public addresses: a client there chooses its own IP with ` +
              'X-Forwarded-For; name only your proxies (private addresses, or their exact public ones)',
          )
        : ok('TRUST_PROXY', `X-Forwarded-For honoured only from ${app.trustProxy.join(', ')}`),
  );

  if (app.tls) {
    findings.push(ok('HTTPS', 'served by Warden (TLS_CERT_FILE, TLS_KEY_FILE), with HSTS'));
  } else if (app.tlsTerminatedUpstream) {
    findings.push(
      app.trustProxy === false
        ? warn('HTTPS', 'terminated upstream, but TRUST_PROXY is unset: name the proxy so client IPs are right')
        : ok('HTTPS', 'terminated by the reverse proxy named in TRUST_PROXY, with HSTS'),
    );
  } else {
    findings.push(
      beforeProduction(
        'HTTPS',
        'plain HTTP: set TLS_CERT_FILE and TLS_KEY_FILE, or terminate TLS in a reverse proxy and set ' +
          'TLS_TERMINATED_UPSTREAM=true with TRUST_PROXY',
      ),
    );
  }

  const notSecure = (origin: string) =>
    !origin.startsWith('https://') && !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin);
  const insecureOrigins = app.corsOrigins.filter(notSecure);
  findings.push(
    insecureOrigins.length > 0
      ? warn('CORS_ORIGINS', `${insecureOrigins.join(', ')} not HTTPS: credentials would be shared with it`)
      : ok('CORS_ORIGINS', app.corsOrigins.length > 0 ? app.corsOrigins.join(', ') : 'same origin only'),
  );

  findings.push(
    settings.lab.enabled
      ? beforeProduction('LAB_ENABLED', 'true: the lab routes are for learning only; set LAB_ENABLED=false')
      : ok('LAB_ENABLED', 'false'),
  );

  const { webauthn, stepUpMaxAgeSeconds } = mfa;
  const insecurePasskeyOrigins = webauthn.origins.filter(notSecure);
  findings.push(
    insecurePasskeyOrigins.length > 0
      ? warn(
          'WEBAUTHN_ORIGINS',
          `${insecurePasskeyOrigins.join(', ')} not HTTPS: browsers offer passkeys only to secure pages; ` +
            'set WEBAUTHN_ORIGINS (or JWT_ISSUER) to the HTTPS origin of the browser client',
        )
      : ok('WEBAUTHN_ORIGINS', `${webauthn.origins.join(', ')} (RP ID ${webauthn.rpId})`),
  );
  findings.push(
    stepUpMaxAgeSeconds > STEP_UP_ADVICE_SECONDS
      ? warn('STEP_UP_MAX_AGE', `${stepUpMaxAgeSeconds}s: an old login keeps its powers that long; 10m is the default`)
      : ok('STEP_UP_MAX_AGE', `${stepUpMaxAgeSeconds}s: sensitive actions need a login or step-up that recent`),
  );
  // A second instance without Redis would give an attacker twice the guesses and learn revocations late.
  findings.push(
    settings.redis.settings
      ? ok('REDIS_URL', 'set: revocations, login-failure counts, the rate limit and key changes are shared')
      : settings.database.url.startsWith('sqlite:')
        ? ok('REDIS_URL', 'unset: one instance on SQLite keeps its counters in memory')
        : warn(
            'REDIS_URL',
            'unset with PostgreSQL: each instance counts login failures and requests alone and learns ' +
              'revocations only by polling; set REDIS_URL before running a second instance',
          ),
  );

  // RFC 9068 §2.1: without `typ: at+jwt` only the audience tells an access token from the issuer's ID tokens.
  const untyped = settings.issuers.external.filter((issuer) => issuer.tokenType.toLowerCase() !== 'at+jwt');
  const trusted = settings.issuers.external.map((issuer) => issuer.issuer).join(', ');
  findings.push(
    untyped.length > 0
      ? warn(
          'EXTERNAL_ISSUERS',
          `${untyped.map((issuer) => issuer.issuer).join(', ')}: tokenType is not at+jwt; make sure its audience ` +
            "is no client id, or that issuer's ID tokens pass as access tokens",
        )
      : ok('EXTERNAL_ISSUERS', trusted || "none: only Warden's own tokens are accepted"),
  );

  findings.push(mailFinding(settings.mail.smtpUrl, beforeProduction));
  return findings;
}

function mailFinding(smtpUrl: string | null, beforeProduction: typeof fail): PostureFinding {
  if (!smtpUrl) return beforeProduction('SMTP_URL', 'unset: mail goes to the development outbox; set an smtps:// URL');
  return smtpTransportSecurity(smtpUrl) === 'tls'
    ? ok('SMTP_URL', 'mail leaves over TLS')
    : warn('SMTP_URL', 'smtp:// without requireTLS: STARTTLS can be stripped; use smtps:// or add ?requireTLS=true');
}

/**
 * The posture of a configuration Warden refuses to start with: every problem is a FAIL line, under the
 * setting its message starts with.
 */
export function configurationFailures(problems: string[]): PostureFinding[] {
  return problems.map((problem) => {
    const setting = /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0] ?? 'configuration';
    const message = setting === 'configuration' ? problem : problem.slice(setting.length).replace(/^:?\s*/, '');
    return fail(setting, message);
  });
}
