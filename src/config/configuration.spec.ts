import { randomBytes } from 'node:crypto';
import { currentEnvironment, jwtConfig, keysConfig, secretsConfig } from './configuration';

describe('currentEnvironment', () => {
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

  it('loads once: every namespace is cut from the same validated environment', () => {
    const environment = currentEnvironment();
    expect(currentEnvironment()).toBe(environment);
    expect(secretsConfig()).toBe(environment.secrets);
    expect(keysConfig()).toBe(environment.keys);
    expect(jwtConfig()).toBe(environment.jwt);
  });

  it('loads again when process.env changes (tests boot apps with other settings)', () => {
    const before = currentEnvironment();
    process.env.JWT_ALG = 'RS256';
    const after = currentEnvironment();
    expect(after).not.toBe(before);
    expect(after.jwt.algorithm).toBe('RS256');
  });
});
