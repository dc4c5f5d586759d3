import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, Environment, loadEnvironment } from './environment';

const secret = () => randomBytes(32).toString('base64url');

describe('loadEnvironment', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-env-'));
  const developmentSecretsFile = join(directory, 'dev-secrets.json');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const secrets = () => ({ FINGERPRINT_SECRET: secret(), KEY_ENCRYPTION_KEY: secret(), CSRF_SECRET: secret() });
  const production = (env: NodeJS.ProcessEnv = {}) => ({ NODE_ENV: 'production', ...secrets(), ...env });
  const load = (env: NodeJS.ProcessEnv) => loadEnvironment(env, { developmentSecretsFile });
  function problems(env: NodeJS.ProcessEnv): string[] {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigurationError) return error.problems;
      throw error;
    }
    return [];
  }

  it('accepts a complete production configuration', () => {
    expect(problems(production())).toEqual([]);
  });

  describe('production refusals, each naming the setting and the fix', () => {
    it.each([
      [
        'a missing secret',
        { FINGERPRINT_SECRET: undefined },
        /FINGERPRINT_SECRET is required in production.*secrets:generate/,
      ],
      ['a short secret', { CSRF_SECRET: randomBytes(16).toString('base64url') }, /CSRF_SECRET holds 128 bits.*256/],
      ['a placeholder secret', { KEY_ENCRYPTION_KEY: 'changeme' }, /KEY_ENCRYPTION_KEY .*secrets:generate/],
      ['insecure cookies', { COOKIE_SECURE: 'false' }, /COOKIE_SECURE=false is refused in production/],
      ['an access-token TTL over 60m', { ACCESS_TOKEN_TTL: '61m' }, /ACCESS_TOKEN_TTL must be between 1s and 60m/],
    ])('refuses %s', (_case, env, message) => {
      expect(problems(production(env)).join('\n')).toMatch(message);
    });

    it('refuses a secret copied from the development secrets file', () => {
      const copied = secret();
      writeFileSync(developmentSecretsFile, JSON.stringify({ CSRF_SECRET: copied }));
      expect(problems(production({ CSRF_SECRET: copied }))).toEqual([
        `CSRF_SECRET holds a development secret from ${developmentSecretsFile}; ` +
          'set a fresh value from `npm run cli -- secrets:generate`',
      ]);
    });

    it('refuses a _FILE setting that points at the development secrets file', () => {
      writeFileSync(developmentSecretsFile, JSON.stringify({}));
      const env = production({ FINGERPRINT_SECRET: undefined, FINGERPRINT_SECRET_FILE: developmentSecretsFile });
      expect(problems(env)).toContain(
        'FINGERPRINT_SECRET_FILE points at the development secrets file; mount a production secret instead',
      );
    });
  });

  it('ACCESS_TOKEN_TTL over 60m is refused outside production too', () => {
    expect(problems({ NODE_ENV: 'test', ...secrets(), ACCESS_TOKEN_TTL: '2h' }).join()).toMatch(/ACCESS_TOKEN_TTL/);
  });

  describe('secrets from files', () => {
    it('reads <NAME>_FILE and records the source', () => {
      const file = join(directory, 'fingerprint');
      const value = randomBytes(32);
      writeFileSync(file, `${value.toString('base64url')}\n`);
      const env = load(production({ FINGERPRINT_SECRET: undefined, FINGERPRINT_SECRET_FILE: file }));
      expect(env.secrets.FINGERPRINT_SECRET.equals(value)).toBe(true);
      expect(env.secretSources).toEqual({ FINGERPRINT_SECRET: 'file', KEY_ENCRYPTION_KEY: 'env', CSRF_SECRET: 'env' });
    });

    it.each([
      ['both forms', { CSRF_SECRET_FILE: '/dev/null' }, 'CSRF_SECRET and CSRF_SECRET_FILE are both set; keep one'],
      [
        'an unreadable file',
        { CSRF_SECRET: undefined, CSRF_SECRET_FILE: '/nonexistent/csrf' },
        'CSRF_SECRET_FILE points at /nonexistent/csrf, which cannot be read',
      ],
    ])('refuses %s', (_case, env, message) => {
      expect(problems(production(env))).toContain(message);
    });
  });

  it('generates missing secrets outside production, marked as generated', () => {
    const env = load({ NODE_ENV: 'development', FINGERPRINT_SECRET: secret(), CSRF_SECRET: secret() });
    expect(env.generatedSecrets).toEqual(['KEY_ENCRYPTION_KEY']);
    expect(env.secretSources.KEY_ENCRYPTION_KEY).toBe('generated');
  });

  describe('key settings', () => {
    it('defaults to polling every 30s, a 5m JWKS max-age, a 1h lead and no automatic rotation', () => {
      const { keys } = load(production());
      expect(keys).toEqual<Environment['keys']>({
        rotationIntervalSeconds: null,
        refreshIntervalSeconds: 30,
        jwksMaxAgeSeconds: 300,
        prepublishLeadSeconds: 3600,
        previousEncryptionKey: null,
      });
    });

    it('accepts a rotation interval and a previous encryption key', () => {
      const previous = randomBytes(32);
      const { keys } = load(
        production({ KEY_ROTATION_INTERVAL: '30d', KEY_ENCRYPTION_KEY_PREVIOUS: previous.toString('base64url') }),
      );
      expect(keys.rotationIntervalSeconds).toBe(30 * 86400);
      expect(keys.previousEncryptionKey?.equals(previous)).toBe(true);
    });

    it.each([
      ['a lead not longer than max-age + refresh', { KEY_PREPUBLISH_LEAD: '5m' }, /KEY_PREPUBLISH_LEAD must be longer/],
      ['a rotation interval within the lead', { KEY_ROTATION_INTERVAL: '30m' }, /KEY_ROTATION_INTERVAL must be longer/],
      ['a malformed rotation interval', { KEY_ROTATION_INTERVAL: 'monthly' }, /KEY_ROTATION_INTERVAL must be off or/],
      ['a refresh interval over 5m', { KEY_REFRESH_INTERVAL: '10m' }, /KEY_REFRESH_INTERVAL must be between/],
      ['a weak previous key', { KEY_ENCRYPTION_KEY_PREVIOUS: 'short' }, /KEY_ENCRYPTION_KEY_PREVIOUS holds/],
    ])('refuses %s', (_case, env, message) => {
      expect(problems(production(env)).join('\n')).toMatch(message);
    });
  });

  describe('TLS', () => {
    it('reads the certificate and key files', () => {
      const cert = join(directory, 'cert.pem');
      const key = join(directory, 'key.pem');
      writeFileSync(cert, 'CERT');
      writeFileSync(key, 'KEY');
      const env = load(production({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key }));
      expect(env.tls?.cert.toString()).toBe('CERT');
      expect(env.tls?.key.toString()).toBe('KEY');
    });

    it.each([
      ['one file without the other', { TLS_CERT_FILE: '/dev/null' }, /TLS_CERT_FILE and TLS_KEY_FILE go together/],
      ['an unreadable file', { TLS_CERT_FILE: '/nonexistent', TLS_KEY_FILE: '/dev/null' }, /TLS_CERT_FILE points at/],
    ])('refuses %s', (_case, env, message) => {
      expect(problems(production(env)).join('\n')).toMatch(message);
    });
  });
});
