import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDevelopmentSecret } from './development-secrets';
import { ConfigurationError, Environment, loadEnvironment } from './environment';

const secret = () => randomBytes(32).toString('base64url');
/** What production needs for mail on top of the secrets. */
const mail = { SMTP_URL: 'smtps://warden:pw@smtp.example.test', PUBLIC_URL: 'https://warden.example.test' };

describe('loadEnvironment', () => {
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
    loadEnvironment({ NODE_ENV: 'development', ...env }, { developmentSecretsFile });
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
    const env = load(production());
    expect(env.generatedSecrets).toEqual([]);
    expect(env.secrets.FINGERPRINT_SECRET).toHaveLength(32);
  });

  describe('an unset NODE_ENV is production', () => {
    const unset = (env: NodeJS.ProcessEnv) => () => loadEnvironment(env, { developmentSecretsFile });

    it('refuses to start without real secrets, and says how to choose development', () => {
      expect(unset({})).toThrow(/FINGERPRINT_SECRET is required in production/);
      expect(unset({})).toThrow(
        /NODE_ENV is unset, so Warden runs as production; for development run `npm run start:dev`/,
      );
    });

    it('runs as production once configured: no lab, no generated secrets', () => {
      const env = loadEnvironment(
        { ...secrets(), ...mail, TLS_TERMINATED_UPSTREAM: 'true' },
        { developmentSecretsFile },
      );
      expect(env).toMatchObject({ nodeEnv: 'production', labEnabled: false, generatedSecrets: [] });
    });
  });

  describe('production refuses plain HTTP', () => {
    it('without TLS files or TLS_TERMINATED_UPSTREAM=true', () => {
      expect(problems(production({ TLS_TERMINATED_UPSTREAM: undefined }))).toEqual([
        expect.stringMatching(
          /^HTTPS is required in production: set TLS_CERT_FILE and TLS_KEY_FILE .* or TLS_TERMINATED_UPSTREAM=true/,
        ),
      ]);
      expect(problems(production({ TLS_TERMINATED_UPSTREAM: 'false' }))).toHaveLength(1);
    });

    it('starts behind a TLS-terminating proxy', () => {
      expect(problems(production({ TLS_TERMINATED_UPSTREAM: 'true' }))).toEqual([]);
    });

    it('is allowed outside production (local development is plain HTTP)', () => {
      expect(problems({ NODE_ENV: 'development', ...secrets() })).toEqual([]);
      expect(problems({ NODE_ENV: 'test', ...secrets() })).toEqual([]);
    });
  });

  describe('HTTP server timeouts', () => {
    it('default to 10s for the headers, 30s for a request and 5s keep-alive', () => {
      expect(load(secrets()).httpTimeouts).toEqual({ headersSeconds: 10, requestSeconds: 30, keepAliveSeconds: 5 });
    });

    it.each([
      [{ HTTP_REQUEST_TIMEOUT: '0s' }, /^HTTP_REQUEST_TIMEOUT must be a duration .* between 1s and 10m/],
      [{ HTTP_HEADERS_TIMEOUT: '1h' }, /^HTTP_HEADERS_TIMEOUT must be a duration .* between 1s and 5m/],
      [
        { HTTP_HEADERS_TIMEOUT: '20s', HTTP_REQUEST_TIMEOUT: '10s' },
        /^HTTP_REQUEST_TIMEOUT must be at least HTTP_HEADERS_TIMEOUT/,
      ],
    ])('refuses %o', (env, message) => {
      expect(problems({ ...secrets(), ...env }).join('\n')).toMatch(message);
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
      const env = load(production({ WARDEN_INSTANCES: '2', DATABASE_URL: postgres, REDIS_URL: 'redis://cache:6379' }));
      expect(env.redis).toEqual({ url: 'redis://cache:6379', keyPrefix: 'warden:' });
      expect(env.instances).toBe(2);
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
      expect(load(secrets())).toMatchObject({
        redis: null,
        instances: 1,
        revocation: { syncIntervalSeconds: 2, maxStalenessSeconds: 10 },
      });
    });
  });

  it('has the documented defaults', () => {
    expect(load(secrets())).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: 'sqlite:var/warden.sqlite',
      jwt: { algorithm: 'ES256', accessTokenTtlSeconds: 900, audience: 'warden-api', issuer: 'http://localhost:3000' },
      sessions: {
        refreshTokenTtlSeconds: 7 * 86400,
        maxAgeSeconds: 30 * 86400,
        reuseGraceSeconds: 0,
        maxSessionsPerUser: 10,
      },
      anomaly: expect.objectContaining({ alertDedupWindowSeconds: 3600 }),
      cookieSecure: true,
      trustProxy: false,
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

  it.each(['abc', '-1', '3000x', '65536', '1234567'])(
    'refuses PORT=%s with the rule, not a regular expression',
    (port) => {
      expect(problems({ ...secrets(), PORT: port })).toEqual([
        'PORT must be a port number between 0 and 65535 (default 3000)',
      ]);
    },
  );

  it('says why a secret that .env holds is missing in production, which reads no .env', () => {
    const envFile = join(directory, '.env');
    writeFileSync(envFile, `export FINGERPRINT_SECRET=${secret()}\n# CSRF_SECRET=x\n`);
    const found = (() => {
      try {
        loadEnvironment({ NODE_ENV: 'production' }, { developmentSecretsFile, envFile });
      } catch (error) {
        return (error as ConfigurationError).problems;
      }
      return [];
    })();
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^FINGERPRINT_SECRET is required in production; \.env sets it, but production reads no \.env: set it where the process starts \(environment, or FINGERPRINT_SECRET_FILE/,
        ),
        expect.stringMatching(
          /^CSRF_SECRET is required in production; set it where the process starts .*secrets:generate/,
        ),
      ]),
    );
  });

  describe('boolean settings accept exactly true or false', () => {
    it.each(['COOKIE_SECURE', 'LAB_ENABLED', 'TLS_TERMINATED_UPSTREAM'])('%s', (name) => {
      for (const value of ['1', '0', 'yes', 'True', 'on']) {
        expect(problems({ ...secrets(), [name]: value })).toEqual([`${name} must be true or false`]);
      }
      expect(problems({ ...secrets(), [name]: 'true' })).toEqual([]);
      expect(problems({ ...secrets(), [name]: 'false' })).toEqual([]);
    });

    it('never reads COOKIE_SECURE=1 as false in production', () => {
      expect(problems(production({ COOKIE_SECURE: '1' }))).toEqual(['COOKIE_SECURE must be true or false']);
    });
  });

  describe('TRUST_PROXY', () => {
    it('is off by default and keeps named proxies', () => {
      expect(load(secrets()).trustProxy).toBe(false);
      expect(
        load({ ...secrets(), TRUST_PROXY: 'loopback, 10.0.0.0/8, 203.0.113.7, fd12:3456::/48' }).trustProxy,
      ).toEqual(['loopback', '10.0.0.0/8', '203.0.113.7', 'fd12:3456::/48']);
    });

    it.each([
      ['true', /TRUST_PROXY=true would trust X-Forwarded-For from anyone/],
      ['*', /TRUST_PROXY=true/],
      ['0.0.0.0/1,128.0.0.0/1', /TRUST_PROXY entry 0\.0\.0\.0\/1 spans too many addresses/],
      ['10.0.0.0/7', /entry 10\.0\.0\.0\/7 spans too many/],
      ['0.0.0.0/128.0.0.0', /entry 0\.0\.0\.0\/128\.0\.0\.0 spans too many/],
      ['::/1', /entry ::\/1 spans too many .*\/32/],
      ['2001:db8::/31', /entry 2001:db8::\/31 spans too many/],
      ['0.0.0.0/0', /^TRUST_PROXY: invalid range on address: 0\.0\.0\.0\/0; use addresses/],
      ['::/0', /^TRUST_PROXY: invalid range/],
      ['loopbak', /^TRUST_PROXY: invalid IP address: loopbak/],
      ['10.0.0.0/33', /^TRUST_PROXY: invalid range/],
      ['1', /^TRUST_PROXY=1: hop counts are not supported .*name the proxy addresses/],
      ['loopback, 2', /^TRUST_PROXY=2: hop counts are not supported/],
    ])('refuses %s, naming the setting', (value, message) => {
      expect(problems({ ...secrets(), TRUST_PROXY: value }).join('\n')).toMatch(message);
    });

    // proxy-addr matches an IPv4-mapped IPv6 subnet against IPv4 clients: ::ffff:0:0/96 is every IPv4 address.
    it.each([
      ['::ffff:0.0.0.0/97', '0.0.0.0/1'],
      ['::ffff:0:0/96', '0.0.0.0/0'],
      ['::FFFF:10.0.0.0/104', '10.0.0.0/8'],
      ['0:0:0:0:0:ffff:0:0/96', '0.0.0.0/0'],
      ['0::ffff:0.0.0.0/96', '0.0.0.0/0'],
      ['::0:ffff:0:0/97', '0.0.0.0/1'],
      ['0000:0000:0000:0000:0000:ffff:0a00:0005/128', '10.0.0.5/32'],
    ])('refuses the IPv4-mapped range %s outright, naming the IPv4 range (%s) instead', (value, ipv4) => {
      const found = problems({ ...secrets(), TRUST_PROXY: value });
      expect(found).toEqual([expect.stringContaining(`TRUST_PROXY entry ${value} is an IPv4-mapped IPv6 range`)]);
      expect(found[0]).toContain(`name the IPv4 range instead (${ipv4})`);
    });

    it.each(['::/80', '::/64', '0:0:0:0:0:fffe::/95'])(
      'refuses %s, an IPv6 range that contains every IPv4-mapped address',
      (value) => {
        expect(problems({ ...secrets(), TRUST_PROXY: value }).join('\n')).toMatch(
          /contains the IPv4-mapped range ::ffff:0:0\/96/,
        );
      },
    );

    it('accepts a bare IPv4-mapped address, which proxy-addr stores as the IPv4 address', () => {
      expect(problems({ ...secrets(), TRUST_PROXY: '::ffff:10.0.0.5' })).toEqual([]);
    });

    it('reports a bad TRUST_PROXY alongside the other problems instead of throwing on its own', () => {
      const found = problems(production({ TRUST_PROXY: 'true', CSRF_SECRET: undefined }));
      expect(found).toEqual([
        expect.stringMatching(/^CSRF_SECRET is required in production/),
        expect.stringMatching(/^TRUST_PROXY=true/),
      ]);
    });

    it('accepts the named non-routable ranges although they are wider than /32; typed out, only by width', () => {
      expect(problems({ ...secrets(), TRUST_PROXY: 'loopback, linklocal, uniquelocal' })).toEqual([]);
      expect(problems({ ...secrets(), TRUST_PROXY: 'fc00::/7' }).join('\n')).toMatch(/fc00::\/7 spans too many/);
    });

    it('accepts a /8 and a /32, the widest subnets allowed', () => {
      expect(problems({ ...secrets(), TRUST_PROXY: '10.0.0.0/8, 2001:db8::/32, 10.0.0.0/255.0.0.0' })).toEqual([]);
    });
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
      [
        'an access-token TTL over 60m',
        { ACCESS_TOKEN_TTL: '61m' },
        /ACCESS_TOKEN_TTL must be .*between 1s and 1h \(default 15m\): access tokens cannot be recalled/,
      ],
    ])('refuses %s', (_case, env, message) => {
      expect(problems(production(env)).join('\n')).toMatch(message);
    });

    it('refuses missing secrets, one message each', () => {
      const env = production({ FINGERPRINT_SECRET: undefined, KEY_ENCRYPTION_KEY: undefined, CSRF_SECRET: undefined });
      expect(problems(env)).toEqual([
        expect.stringMatching(/^FINGERPRINT_SECRET is required in production/),
        expect.stringMatching(/^KEY_ENCRYPTION_KEY is required in production/),
        expect.stringMatching(/^CSRF_SECRET is required in production/),
      ]);
    });

    it('refuses exactly the weak secret, naming it and the fix', () => {
      expect(problems(production({ FINGERPRINT_SECRET: 'weak-secret' }))).toEqual([
        expect.stringMatching(/^FINGERPRINT_SECRET .*secrets:generate/),
      ]);
    });

    it.each([
      ['CamelCase words', 'ThisIsMyVerySecretProductionKeyForWardenApp'],
      ['lowercase words', 'correcthorsebatterystaplecorrecthorsebattery'],
      ['an encoded passphrase', Buffer.from('my very long production passphrase!!').toString('base64')],
    ])('refuses a passphrase posing as a key: %s', (_case, value) => {
      expect(problems(production({ KEY_ENCRYPTION_KEY: value }))).toEqual([
        'KEY_ENCRYPTION_KEY looks like typed words, not the encoding of random bytes; ' +
          'generate one with `npm run cli -- secrets:generate`',
      ]);
    });

    it('refuses a development secret wherever it comes from, with no development file on the host', () => {
      rmSync(developmentSecretsFile, { force: true });
      const copied = generateDevelopmentSecret();
      const file = join(directory, 'mounted-csrf');
      writeFileSync(file, copied);
      expect(problems(production({ FINGERPRINT_SECRET: copied }))).toEqual([
        'FINGERPRINT_SECRET is a development secret (it starts with "devonly"); ' +
          'set a fresh value from `npm run cli -- secrets:generate`',
      ]);
      expect(problems(production({ CSRF_SECRET: undefined, CSRF_SECRET_FILE: file })).join()).toMatch(
        /^CSRF_SECRET is a development secret/,
      );
      const webhook = { ALERT_WEBHOOK_URL: 'https://hooks.example.com/w', ALERT_WEBHOOK_SECRET: copied };
      expect(problems(production(webhook)).join()).toMatch(/^ALERT_WEBHOOK_SECRET is a development secret/);
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

  it('generates missing secrets outside production, marked as generated and carrying the marker', () => {
    rmSync(developmentSecretsFile, { force: true });
    const env = load({ NODE_ENV: 'development', FINGERPRINT_SECRET: secret(), CSRF_SECRET: secret() });
    expect(env.generatedSecrets).toEqual(['KEY_ENCRYPTION_KEY']);
    expect(env.secretSources.KEY_ENCRYPTION_KEY).toBe('generated');
    const stored = JSON.parse(readFileSync(developmentSecretsFile, 'utf8')) as Record<string, string>;
    expect(stored.KEY_ENCRYPTION_KEY).toMatch(/^devonly[A-Za-z0-9_-]{43}$/);
    // Still a valid secret outside production: the marker decodes as base64url.
    expect(env.secrets.KEY_ENCRYPTION_KEY.length).toBeGreaterThanOrEqual(32);
    const reused = load({ NODE_ENV: 'development', ...secrets(), CSRF_SECRET: stored.KEY_ENCRYPTION_KEY });
    expect(reused.generatedSecrets).toEqual([]);
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
      [
        'a refresh interval over 5m',
        { KEY_REFRESH_INTERVAL: '10m' },
        /KEY_REFRESH_INTERVAL must be a duration .*, between 1s and 5m \(default 30s\): it bounds/,
      ],
      ['a malformed JWKS max-age', { JWKS_MAX_AGE: 'five minutes' }, /JWKS_MAX_AGE must be a duration/],
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
