import { randomBytes } from 'node:crypto';
import { ConfigurationError, loadEnvironment } from './environment';
import { decodeSecret, generateSecret } from './secrets';

const strong = () => randomBytes(32).toString('base64url');
const secrets = () => ({ FINGERPRINT_SECRET: strong(), KEY_ENCRYPTION_KEY: strong(), CSRF_SECRET: strong() });

function problems(env: Record<string, string>): string[] {
  try {
    loadEnvironment(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

describe('secret strength', () => {
  it('accepts generated secrets in base64url and base64', () => {
    expect(decodeSecret(generateSecret())).toHaveProperty('bytes');
    expect(decodeSecret(randomBytes(48).toString('base64'))).toHaveProperty('bytes');
  });

  it.each([
    ['a short secret', randomBytes(31).toString('base64url'), /248 bits/],
    ['a placeholder', 'changeme', /bits|base64/],
    ['a repeated character', 'A'.repeat(64), /repetitive/],
    ['a non-base64 string', 'this is not base64 at all!', /base64/],
  ])('refuses %s', (_case, value, message) => {
    const decoded = decodeSecret(value);
    expect(decoded).toHaveProperty('problem');
    expect((decoded as { problem: string }).problem).toMatch(message);
  });
});

describe('loadEnvironment', () => {
  it('refuses a weak secret in production and names the variable and the fix', () => {
    const found = problems({ NODE_ENV: 'production', ...secrets(), FINGERPRINT_SECRET: 'weak-secret' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^FINGERPRINT_SECRET .*secrets:generate/);
  });

  it('refuses missing secrets in production, one message each', () => {
    const found = problems({ NODE_ENV: 'production' });
    expect(found).toEqual([
      expect.stringMatching(/^FINGERPRINT_SECRET is required in production/),
      expect.stringMatching(/^KEY_ENCRYPTION_KEY is required in production/),
      expect.stringMatching(/^CSRF_SECRET is required in production/),
    ]);
  });

  it('accepts a strong production configuration', () => {
    const env = loadEnvironment({ NODE_ENV: 'production', ...secrets() });
    expect(env.generatedSecrets).toEqual([]);
    expect(env.secrets.FINGERPRINT_SECRET).toHaveLength(32);
  });

  it('reads secrets from *_FILE and refuses both forms at once', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'warden-secret-'));
    const file = join(dir, 'fingerprint');
    const value = strong();
    writeFileSync(file, `${value}\n`);
    const { FINGERPRINT_SECRET: _unused, ...rest } = secrets();
    const env = loadEnvironment({ NODE_ENV: 'production', ...rest, FINGERPRINT_SECRET_FILE: file });
    expect(env.secrets.FINGERPRINT_SECRET.toString('base64url')).toBe(value);
    expect(problems({ ...secrets(), FINGERPRINT_SECRET_FILE: file })).toEqual([
      expect.stringMatching(/FINGERPRINT_SECRET and FINGERPRINT_SECRET_FILE are both set/),
    ]);
    expect(problems({ ...rest, FINGERPRINT_SECRET_FILE: join(dir, 'missing') })).toEqual([
      expect.stringMatching(/FINGERPRINT_SECRET_FILE points at .* which cannot be read/),
    ]);
  });

  it.each([
    ['ACCESS_TOKEN_TTL above the 60 minute cap', { ACCESS_TOKEN_TTL: '61m' }, /ACCESS_TOKEN_TTL/],
    ['ACCESS_TOKEN_TTL that is not a duration', { ACCESS_TOKEN_TTL: 'soon' }, /ACCESS_TOKEN_TTL/],
    ['an unknown JWT_ALG', { JWT_ALG: 'HS256' }, /JWT_ALG/],
    ['a malformed DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [
      'a REFRESH_TOKEN_TTL shorter than the access token',
      { ACCESS_TOKEN_TTL: '30m', REFRESH_TOKEN_TTL: '10m' },
      /REFRESH_TOKEN_TTL/,
    ],
    ['a SESSION_MAX_AGE shorter than REFRESH_TOKEN_TTL', { SESSION_MAX_AGE: '1d' }, /SESSION_MAX_AGE/],
    ['a long REFRESH_REUSE_GRACE', { REFRESH_REUSE_GRACE: '5m' }, /REFRESH_REUSE_GRACE/],
    ['COOKIE_SECURE=false in production', { NODE_ENV: 'production', COOKIE_SECURE: 'false' }, /COOKIE_SECURE/],
  ])('refuses %s', (_case, env, message) => {
    const found = problems({ ...secrets(), ...env });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join('\n')).toMatch(message);
  });

  it('refuses TRUST_PROXY=true, which would let any client choose its IP', () => {
    expect(() => loadEnvironment({ ...secrets(), TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(loadEnvironment({ ...secrets(), TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
    expect(loadEnvironment(secrets()).trustProxy).toBe(false);
  });

  it('has the documented defaults', () => {
    const env = loadEnvironment(secrets());
    expect(env).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: 'sqlite:var/warden.sqlite',
      jwt: { algorithm: 'ES256', accessTokenTtlSeconds: 900, audience: 'warden-api', issuer: 'http://localhost:3000' },
      sessions: { refreshTokenTtlSeconds: 7 * 86400, maxAgeSeconds: 30 * 86400, reuseGraceSeconds: 0 },
      cookieSecure: true,
    });
  });
});
