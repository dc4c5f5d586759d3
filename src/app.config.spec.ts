import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentSettings, loadSettings } from './app.config';
import { keysConfig } from './keys/keys.config';
import { jwtConfig } from './keys/jwt.config';
import { secretsConfig } from './config/secret-settings';
import { configurationProblems } from '../test/helpers/configuration';

const secret = () => randomBytes(32).toString('base64url');
/** What production needs for mail on top of the secrets. */
const mail = { SMTP_URL: 'smtps://warden:pw@smtp.example.test', PUBLIC_URL: 'https://warden.example.test' };

/** The composed start-up: every slice, then the checks across slices, all problems at once. */
describe('loadSettings', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-env-'));
  const developmentSecretsFile = join(directory, 'dev-secrets.json');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const secrets = () => ({ FINGERPRINT_SECRET: secret(), KEY_ENCRYPTION_KEY: secret(), CSRF_SECRET: secret() });
  const production = (env: NodeJS.ProcessEnv = {}) => ({
    NODE_ENV: 'production',
    TLS_TERMINATED_UPSTREAM: 'true',
    ...secrets(),
    ...mail,
    ...env,
  });
  /** Most settings behave alike everywhere; development is the environment that asks for nothing else. */
  const load = (env: NodeJS.ProcessEnv) =>
    loadSettings({ NODE_ENV: 'development', ...env }, { developmentSecretsFile });
  function problems(env: NodeJS.ProcessEnv): string[] {
    return configurationProblems(() => load(env));
  }

  it('accepts a complete production configuration', () => {
    expect(problems(production())).toEqual([]);
    const settings = load(production());
    expect(settings.secrets.generated).toEqual([]);
    expect(settings.secrets.FINGERPRINT_SECRET).toHaveLength(32);
  });

  describe('an unset NODE_ENV is production', () => {
    const unset = (env: NodeJS.ProcessEnv) => () => loadSettings(env, { developmentSecretsFile });

    it('refuses to start without real secrets, and says how to choose development', () => {
      expect(unset({})).toThrow(/FINGERPRINT_SECRET is required in production/);
      expect(unset({})).toThrow(
        /NODE_ENV is unset, so Warden runs as production; for development run `npm run start:dev`/,
      );
    });

    it('runs as production once configured: no lab, no generated secrets', () => {
      const settings = unset({ ...secrets(), ...mail, TLS_TERMINATED_UPSTREAM: 'true' })();
      expect(settings.app.nodeEnv).toBe('production');
      expect(settings.lab.enabled).toBe(false);
      expect(settings.secrets.generated).toEqual([]);
    });
  });

  describe('several instances', () => {
    const postgres = 'postgres://warden@db/warden';

    it('refuses WARDEN_INSTANCES > 1 on SQLite or without Redis, naming what to set', () => {
      expect(problems(production({ WARDEN_INSTANCES: '2' }))).toEqual([
        expect.stringContaining('WARDEN_INSTANCES > 1 needs PostgreSQL'),
        expect.stringContaining('WARDEN_INSTANCES > 1 needs REDIS_URL'),
      ]);
      expect(problems(production({ WARDEN_INSTANCES: '2', DATABASE_URL: postgres }))).toEqual([
        expect.stringContaining('needs REDIS_URL'),
      ]);
      const settings = load(
        production({ WARDEN_INSTANCES: '2', DATABASE_URL: postgres, REDIS_URL: 'redis://cache:6379' }),
      );
      expect(settings.redis.settings).toEqual({ url: 'redis://cache:6379', keyPrefix: 'warden:' });
      expect(settings.app.instances).toBe(2);
    });

    it.each([
      ['REDIS_URL', 'http://cache:6379', 'REDIS_URL must look like'],
      ['REDIS_KEY_PREFIX', 'has spaces', 'REDIS_KEY_PREFIX must be'],
      ['REVOCATION_MAX_STALENESS', '1s', 'REVOCATION_MAX_STALENESS must be'],
      ['REVOCATION_MAX_STALENESS', '2s', 'REVOCATION_MAX_STALENESS must be longer than REVOCATION_SYNC_INTERVAL'],
    ])('refuses %s=%s', (name, value, message) => {
      expect(problems(production({ [name]: value }))).toEqual([expect.stringContaining(message)]);
    });

    it('keeps everything in the process and the database by default', () => {
      const settings = load(secrets());
      expect(settings.redis.settings).toBeNull();
      expect(settings.app.instances).toBe(1);
      expect(settings.revocation).toEqual({ syncIntervalSeconds: 2, maxStalenessSeconds: 10 });
    });
  });

  it('has the documented defaults', () => {
    expect(load(secrets())).toMatchObject({
      app: { nodeEnv: 'development', port: 3000, cookieSecure: true, trustProxy: false },
      database: { url: 'sqlite:var/warden.sqlite' },
      jwt: { algorithm: 'ES256', accessTokenTtlSeconds: 900, audience: 'warden-api', issuer: 'http://localhost:3000' },
      session: {
        refreshTokenTtlSeconds: 7 * 86400,
        maxAgeSeconds: 30 * 86400,
        reuseGraceSeconds: 0,
        maxSessionsPerUser: 10,
      },
      anomaly: expect.objectContaining({ alertDedupWindowSeconds: 3600 }),
    });
  });

  it.each([
    ['ACCESS_TOKEN_TTL that is not a duration', { ACCESS_TOKEN_TTL: 'soon' }, /^ACCESS_TOKEN_TTL must be a duration/],
    ['an unknown JWT_ALG', { JWT_ALG: 'HS256' }, /JWT_ALG/],
    ['a malformed DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [
      'a REFRESH_TOKEN_TTL shorter than the access token',
      { ACCESS_TOKEN_TTL: '30m', REFRESH_TOKEN_TTL: '10m' },
      /REFRESH_TOKEN_TTL must be longer/,
    ],
    ['a SESSION_MAX_AGE shorter than REFRESH_TOKEN_TTL', { SESSION_MAX_AGE: '1d' }, /SESSION_MAX_AGE must be at least/],
    ['a long REFRESH_REUSE_GRACE', { REFRESH_REUSE_GRACE: '5m' }, /REFRESH_REUSE_GRACE .*race the owner/],
  ])('refuses %s in any environment', (_case, env, message) => {
    expect(problems({ ...secrets(), ...env }).join('\n')).toMatch(message);
  });

  it('names the allowed values of a closed list', () => {
    expect(problems({ ...secrets(), JWT_ALG: 'HS256' })).toEqual([
      'JWT_ALG must be one of the following values: ES256, RS256, PS256',
    ]);
  });

  describe('boolean settings accept exactly true or false', () => {
    it.each(['COOKIE_SECURE', 'LAB_ENABLED', 'TLS_TERMINATED_UPSTREAM', 'MAIL_OUTBOX'])('%s', (name) => {
      // An empty value too: `COOKIE_SECURE=` is a mistake, not a request for the default.
      for (const value of ['1', '0', 'yes', 'True', 'on', '']) {
        expect(problems({ ...secrets(), [name]: value })).toEqual([`${name} must be true or false`]);
      }
      expect(problems({ ...secrets(), [name]: 'true' })).toEqual([]);
      expect(problems({ ...secrets(), [name]: 'false' })).toEqual([]);
    });

    it('never reads COOKIE_SECURE=1 as false in production', () => {
      expect(problems(production({ COOKIE_SECURE: '1' }))).toEqual(['COOKIE_SECURE must be true or false']);
    });
  });

  it('reports a bad TRUST_PROXY alongside the other problems instead of throwing on its own', () => {
    const found = problems(production({ TRUST_PROXY: 'true', CSRF_SECRET: undefined }));
    expect(found).toEqual([
      expect.stringMatching(/^CSRF_SECRET is required in production/),
      expect.stringMatching(/^TRUST_PROXY=true/),
    ]);
  });

  it.each([[{ NODE_ENV: 'production' }], [{ NODE_ENV: 'test' }]])(
    'refuses an ACCESS_TOKEN_TTL over 60m in any environment (%o)',
    (env) => {
      expect(problems(production({ ...env, ACCESS_TOKEN_TTL: '61m' })).join('\n')).toMatch(
        /ACCESS_TOKEN_TTL must be .*between 1s and 1h \(default 15m\): access tokens cannot be recalled/,
      );
    },
  );
});

describe('currentSettings', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    Object.assign(process.env, {
      NODE_ENV: 'test',
      FINGERPRINT_SECRET: randomBytes(32).toString('base64url'),
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      CSRF_SECRET: randomBytes(32).toString('base64url'),
    });
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('loads once: every slice Nest injects is cut from the same validated settings', () => {
    const settings = currentSettings();
    expect(currentSettings()).toBe(settings);
    expect(secretsConfig()).toBe(settings.secrets);
    expect(keysConfig()).toBe(settings.keys);
    expect(jwtConfig()).toBe(settings.jwt);
  });

  it('loads again when process.env changes (tests boot apps with other settings)', () => {
    const before = currentSettings();
    process.env.JWT_ALG = 'RS256';
    const after = currentSettings();
    expect(after).not.toBe(before);
    expect(after.jwt.algorithm).toBe('RS256');
  });
});
