import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { loadSettings, SETTINGS } from './app.config';

describe('.env.example', () => {
  const example = readFileSync(join(__dirname, '..', '.env.example'), 'utf8');
  const secret = () => randomBytes(32).toString('base64url');
  // NODE_ENV comes from the real environment, never from a .env; the example is a development setup.
  const development = () => ({
    NODE_ENV: 'development',
    FINGERPRINT_SECRET: secret(),
    KEY_ENCRYPTION_KEY: secret(),
    CSRF_SECRET: secret(),
  });

  it('is a valid configuration once the secrets are filled in', () => {
    const settings = loadSettings({ ...parseEnv(example), ...development() });
    expect(settings.jwt.accessTokenTtlSeconds).toBe(900);
    expect(settings.keys.rotationIntervalSeconds).toBeNull();
  });

  it('gives every value its default, as it says', () => {
    const secrets = development();
    expect(loadSettings({ ...parseEnv(example), ...secrets })).toEqual(loadSettings(secrets));
  });

  it('pins no port: the issuer follows PORT', () => {
    const settings = loadSettings({ ...parseEnv(example.replace(/^PORT=.*$/m, 'PORT=4000')), ...development() });
    expect(settings.jwt.issuer).toBe('http://localhost:4000');
  });

  it('gives a valid EXTERNAL_ISSUERS example, commented out: none is trusted by default', () => {
    const base = { ...parseEnv(example), ...development() };
    expect(loadSettings(base).issuers.external).toEqual([]);
    const documented = /^# EXTERNAL_ISSUERS=(.+)$/m.exec(example)?.[1];
    expect(loadSettings({ ...base, EXTERNAL_ISSUERS: documented }).issuers.external).toHaveLength(1);
  });

  it('documents every secret setting without giving it a value', () => {
    for (const name of ['FINGERPRINT_SECRET', 'KEY_ENCRYPTION_KEY', 'CSRF_SECRET', 'ALERT_WEBHOOK_SECRET']) {
      expect(example).toMatch(new RegExp(`^# ${name}=$`, 'm'));
    }
  });

  // A setting is declared once, in its feature's *.config.ts; forgetting its line here fails, and so does a
  // line for a setting nothing reads (renamed or removed).
  it('documents exactly the declared settings, each once, set or commented out', () => {
    const sections = example.slice(example.indexOf('\n# ---'));
    const documented = [...sections.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    const declared = SETTINGS.flatMap((config) => config.settings.variables);
    expect([...documented].sort()).toEqual([...new Set(documented)].sort());
    expect([...documented].sort()).toEqual([...declared].sort());
  });
});

describe("README's settings tables", () => {
  it('name exactly the declared settings', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const firstCells = [...readme.matchAll(/^\|([^|]*)\|/gm)].map((match) => match[1]);
    const named = firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]));
    const declared = SETTINGS.flatMap((config) => config.settings.variables);
    expect([...new Set(named)].sort()).toEqual([...declared].sort());
  });
});
