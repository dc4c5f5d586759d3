import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSlice } from './compose';
import { generateDevelopmentSecret } from './development-secrets';
import { secretsConfig } from './secret-settings';
import type { LoadOptions } from './settings';
import { configurationProblems } from '../../test/helpers/configuration';

const secret = () => randomBytes(32).toString('base64url');

describe('secret settings', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-secrets-'));
  const developmentSecretsFile = join(directory, 'dev-secrets.json');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const secrets = () => ({ FINGERPRINT_SECRET: secret(), KEY_ENCRYPTION_KEY: secret(), CSRF_SECRET: secret() });
  const production = (env: NodeJS.ProcessEnv = {}) => ({ NODE_ENV: 'production', ...secrets(), ...env });
  const load = (env: NodeJS.ProcessEnv, options: LoadOptions = {}) =>
    loadSlice(secretsConfig, { NODE_ENV: 'development', ...env }, { developmentSecretsFile, ...options });
  function problems(env: NodeJS.ProcessEnv, options: LoadOptions = {}): string[] {
    return configurationProblems(() => load(env, options));
  }

  it('says why a secret that .env holds is missing in production, which reads no .env', () => {
    const envFile = join(directory, '.env');
    writeFileSync(envFile, `export FINGERPRINT_SECRET=${secret()}\n# CSRF_SECRET=x\n`);
    expect(problems({ NODE_ENV: 'production' }, { envFile })).toEqual(
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

  describe('production refusals, each naming the setting and the fix', () => {
    it.each([
      [
        'a missing secret',
        { FINGERPRINT_SECRET: undefined },
        /FINGERPRINT_SECRET is required in production.*secrets:generate/,
      ],
      ['a short secret', { CSRF_SECRET: randomBytes(16).toString('base64url') }, /CSRF_SECRET holds 128 bits.*256/],
      ['a placeholder secret', { KEY_ENCRYPTION_KEY: 'changeme' }, /KEY_ENCRYPTION_KEY .*secrets:generate/],
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

    // The same refusal for the webhook's secret: src/alerts/alerts.config.spec.ts.
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

  describe('secrets from files', () => {
    it('reads <NAME>_FILE and records the source', () => {
      const file = join(directory, 'fingerprint');
      const value = randomBytes(32);
      writeFileSync(file, `${value.toString('base64url')}\n`);
      const settings = load(production({ FINGERPRINT_SECRET: undefined, FINGERPRINT_SECRET_FILE: file }));
      expect(settings.FINGERPRINT_SECRET.equals(value)).toBe(true);
      expect(settings.sources).toEqual({ FINGERPRINT_SECRET: 'file', KEY_ENCRYPTION_KEY: 'env', CSRF_SECRET: 'env' });
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
    const settings = load({ NODE_ENV: 'development', FINGERPRINT_SECRET: secret(), CSRF_SECRET: secret() });
    expect(settings.generated).toEqual(['KEY_ENCRYPTION_KEY']);
    expect(settings.sources.KEY_ENCRYPTION_KEY).toBe('generated');
    const stored = JSON.parse(readFileSync(developmentSecretsFile, 'utf8')) as Record<string, string>;
    expect(stored.KEY_ENCRYPTION_KEY).toMatch(/^devonly[A-Za-z0-9_-]{43}$/);
    // Still a valid secret outside production: the marker decodes as base64url.
    expect(settings.KEY_ENCRYPTION_KEY.length).toBeGreaterThanOrEqual(32);
    const reused = load({ NODE_ENV: 'development', ...secrets(), CSRF_SECRET: stored.KEY_ENCRYPTION_KEY });
    expect(reused.generated).toEqual([]);
  });
});
