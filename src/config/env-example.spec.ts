import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { loadEnvironment } from './environment';

describe('.env.example', () => {
  const example = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  // NODE_ENV comes from the real environment, never from a .env; the example is a development setup.

  it('is a valid configuration once the secrets are filled in', () => {
    const secret = () => randomBytes(32).toString('base64url');
    const env = loadEnvironment({
      ...parseEnv(example),
      NODE_ENV: 'development',
      FINGERPRINT_SECRET: secret(),
      KEY_ENCRYPTION_KEY: secret(),
      CSRF_SECRET: secret(),
    });
    expect(env.jwt.accessTokenTtlSeconds).toBe(900);
    expect(env.keys.rotationIntervalSeconds).toBeNull();
  });

  it('pins no port: the issuer follows PORT', () => {
    const secret = () => randomBytes(32).toString('base64url');
    const env = loadEnvironment({
      ...parseEnv(example.replace(/^PORT=.*$/m, 'PORT=4000')),
      NODE_ENV: 'development',
      FINGERPRINT_SECRET: secret(),
      KEY_ENCRYPTION_KEY: secret(),
      CSRF_SECRET: secret(),
    });
    expect(env.jwt.issuer).toBe('http://localhost:4000');
  });

  it('gives a valid EXTERNAL_ISSUERS example, commented out: none is trusted by default', () => {
    const secret = () => randomBytes(32).toString('base64url');
    const base = {
      ...parseEnv(example),
      NODE_ENV: 'development',
      FINGERPRINT_SECRET: secret(),
      KEY_ENCRYPTION_KEY: secret(),
      CSRF_SECRET: secret(),
    };
    expect(loadEnvironment(base).externalIssuers).toEqual([]);
    const documented = /^# EXTERNAL_ISSUERS=(.+)$/m.exec(example)?.[1];
    expect(loadEnvironment({ ...base, EXTERNAL_ISSUERS: documented }).externalIssuers).toHaveLength(1);
  });

  it('documents every secret setting without giving it a value', () => {
    for (const name of ['FINGERPRINT_SECRET', 'KEY_ENCRYPTION_KEY', 'CSRF_SECRET', 'ALERT_WEBHOOK_SECRET']) {
      expect(example).toMatch(new RegExp(`^# ${name}=$`, 'm'));
    }
  });
});
