import { randomBytes } from 'node:crypto';
import { loadSettings, Settings } from '../app.config';
import { PostureFinding, securityPosture } from './security-posture';

const secret = () => randomBytes(32).toString('base64url');

/** Some settings of some slices. */
type Overrides = { [K in keyof Settings]?: Partial<Settings[K]> };

/** A production-grade configuration; each test changes one thing. */
function environment(overrides: Overrides = {}): Settings {
  const settings = loadSettings({
    NODE_ENV: 'production',
    FINGERPRINT_SECRET: secret(),
    KEY_ENCRYPTION_KEY: secret(),
    CSRF_SECRET: secret(),
    TLS_TERMINATED_UPSTREAM: 'true',
    TRUST_PROXY: 'loopback',
    KEY_ROTATION_INTERVAL: '30d',
    SMTP_URL: 'smtps://warden:pw@smtp.example.test',
    PUBLIC_URL: 'https://warden.example.test',
  });
  const merged = Object.entries(settings).map(([key, slice]) => [
    key,
    { ...slice, ...overrides[key as keyof Settings] },
  ]);
  return Object.fromEntries(merged) as Settings;
}

function finding(env: Settings, setting: string): PostureFinding {
  const found = securityPosture(env).find((entry) => entry.setting === setting);
  if (!found) throw new Error(`no finding for ${setting}`);
  return found;
}

describe('securityPosture', () => {
  it('is all OK for a hardened production configuration', () => {
    expect(securityPosture(environment()).filter((entry) => entry.verdict !== 'OK')).toEqual([]);
  });

  it('outside production reports what to fix before going live as WARN, not FAIL', () => {
    const development = environment({
      app: { nodeEnv: 'development', tls: null, tlsTerminatedUpstream: false, cookieSecure: false },
      lab: { enabled: true },
      secrets: { sources: { FINGERPRINT_SECRET: 'generated', KEY_ENCRYPTION_KEY: 'env', CSRF_SECRET: 'env' } },
    });
    const findings = securityPosture(development);
    expect(findings.filter((entry) => entry.verdict === 'FAIL')).toEqual([]);
    for (const setting of ['HTTPS', 'LAB_ENABLED', 'COOKIE_SECURE', 'FINGERPRINT_SECRET']) {
      expect(finding(development, setting).verdict).toBe('WARN');
    }
    const production = { ...development, app: { ...development.app, nodeEnv: 'production' as const } };
    for (const setting of ['HTTPS', 'LAB_ENABLED', 'COOKIE_SECURE', 'FINGERPRINT_SECRET']) {
      expect(finding(production, setting).verdict).toBe('FAIL');
    }
  });

  it('warns about passkey origins without HTTPS and a long step-up window', () => {
    const env = environment();
    const plain = { ...env, mfa: { ...env.mfa, webauthn: { rpId: 'example.com', origins: ['http://example.com'] } } };
    expect(finding(plain, 'WEBAUTHN_ORIGINS')).toMatchObject({
      verdict: 'WARN',
      message: expect.stringMatching(/HTTPS/),
    });
    expect(finding({ ...env, mfa: { ...env.mfa, stepUpMaxAgeSeconds: 7200 } }, 'STEP_UP_MAX_AGE').verdict).toBe('WARN');
    expect(finding(env, 'STEP_UP_MAX_AGE').verdict).toBe('OK');
  });

  it('warns about PostgreSQL without Redis, where instances would count alone', () => {
    const postgres = 'postgres://warden@db/warden';
    expect(finding(environment({ database: { url: postgres } }), 'REDIS_URL').verdict).toBe('WARN');
    const shared = environment({
      database: { url: postgres },
      redis: { settings: { url: 'redis://cache:6379', keyPrefix: 'warden:' } },
    });
    expect(finding(shared, 'REDIS_URL').verdict).toBe('OK');
  });

  const base = environment();
  const externalIssuer = {
    issuer: 'https://idp.example.com',
    audience: 'warden-api',
    algorithms: ['RS256'],
    jwksUri: null,
    tokenType: 'at+jwt',
    rolesClaim: null,
    roles: {},
  };
  it.each<[string, Overrides, string, PostureFinding['verdict'], RegExp]>([
    ['no external issuer', {}, 'EXTERNAL_ISSUERS', 'OK', /only Warden's own tokens/],
    [
      'an RFC 9068 external issuer',
      { issuers: { external: [externalIssuer] } },
      'EXTERNAL_ISSUERS',
      'OK',
      /idp\.example\.com/,
    ],
    [
      'an external issuer whose tokens are typed JWT',
      { issuers: { external: [{ ...externalIssuer, tokenType: 'JWT' }] } },
      'EXTERNAL_ISSUERS',
      'WARN',
      /tokenType is not at\+jwt/,
    ],
    ['NODE_ENV', { app: { nodeEnv: 'development' } }, 'NODE_ENV', 'WARN', /set NODE_ENV=production/],
    [
      'a development secret',
      { secrets: { sources: { ...base.secrets.sources, CSRF_SECRET: 'generated' } } },
      'CSRF_SECRET',
      'FAIL',
      /set CSRF_SECRET \(or CSRF_SECRET_FILE\)/,
    ],
    [
      'a secret from a file',
      { secrets: { sources: { ...base.secrets.sources, FINGERPRINT_SECRET: 'file' } } },
      'FINGERPRINT_SECRET',
      'OK',
      /FINGERPRINT_SECRET_FILE/,
    ],
    [
      'a leftover previous encryption key',
      { keys: { previousEncryptionKey: randomBytes(32) } },
      'KEY_ENCRYPTION_KEY_PREVIOUS',
      'WARN',
      /keys:rewrap/,
    ],
    ['insecure cookies', { app: { cookieSecure: false } }, 'COOKIE_SECURE', 'FAIL', /set COOKIE_SECURE=true/],
    ['a long access-token TTL', { jwt: { accessTokenTtlSeconds: 3600 } }, 'ACCESS_TOKEN_TTL', 'WARN', /15m or less/],
    [
      'a long refresh-token TTL',
      { session: { refreshTokenTtlSeconds: 90 * 86400 } },
      'REFRESH_TOKEN_TTL',
      'WARN',
      /shorten REFRESH_TOKEN_TTL/,
    ],
    ['a refresh reuse grace', { session: { reuseGraceSeconds: 10 } }, 'REFRESH_REUSE_GRACE', 'WARN', /prefer 0/],
    ['the algorithm', { jwt: { algorithm: 'RS256' } }, 'JWT_ALG', 'OK', /RS256/],
    [
      'no automatic rotation',
      { keys: { rotationIntervalSeconds: null } },
      'KEY_ROTATION_INTERVAL',
      'WARN',
      /KEY_ROTATION_INTERVAL=30d/,
    ],
    ['a slow rotation', { keys: { rotationIntervalSeconds: 365 * 86400 } }, 'KEY_ROTATION_INTERVAL', 'WARN', /90d/],
    [
      'no trusted proxy',
      { app: { trustProxy: false, tlsTerminatedUpstream: false, tls: null } },
      'TRUST_PROXY',
      'OK',
      /ignored/,
    ],
    ['trusted proxies', {}, 'TRUST_PROXY', 'OK', /only from loopback/],
    [
      'TLS served by Warden',
      { app: { tls: { cert: Buffer.from('c'), key: Buffer.from('k') }, tlsTerminatedUpstream: false } },
      'HTTPS',
      'OK',
      /TLS_CERT_FILE/,
    ],
    ['TLS upstream without TRUST_PROXY', { app: { trustProxy: false } }, 'HTTPS', 'WARN', /name the proxy/],
    [
      'no HTTPS at all',
      { app: { tls: null, tlsTerminatedUpstream: false } },
      'HTTPS',
      'FAIL',
      /TLS_TERMINATED_UPSTREAM=true/,
    ],
    ['an HTTP CORS origin', { app: { corsOrigins: ['http://app.example.com'] } }, 'CORS_ORIGINS', 'WARN', /not HTTPS/],
    [
      'a local HTTP CORS origin',
      { app: { corsOrigins: ['http://localhost:5173'] } },
      'CORS_ORIGINS',
      'OK',
      /localhost/,
    ],
    ['the lab', { lab: { enabled: true } }, 'LAB_ENABLED', 'FAIL', /LAB_ENABLED=false/],
    ['mail over smtps://', {}, 'SMTP_URL', 'OK', /TLS/],
    [
      'mail over smtp:// (STARTTLS only if offered)',
      { mail: { smtpUrl: 'smtp://h.test' } },
      'SMTP_URL',
      'WARN',
      /requireTLS/,
    ],
    [
      'mail over smtp:// with requireTLS',
      { mail: { smtpUrl: 'smtp://h.test?requireTLS=true' } },
      'SMTP_URL',
      'OK',
      /TLS/,
    ],
    ['no mail server in production', { mail: { smtpUrl: null } }, 'SMTP_URL', 'FAIL', /outbox/],
  ])('judges %s', (_case, overrides, setting, verdict, message) => {
    const result = finding(environment(overrides), setting);
    expect(result.verdict).toBe(verdict);
    expect(result.message).toMatch(message);
  });
});
