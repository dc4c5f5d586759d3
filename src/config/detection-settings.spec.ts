import { randomBytes } from 'node:crypto';
import { ConfigurationError, loadEnvironment } from './environment';

const base = {
  NODE_ENV: 'test',
  FINGERPRINT_SECRET: randomBytes(32).toString('base64url'),
  KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  CSRF_SECRET: randomBytes(32).toString('base64url'),
};
const strong = randomBytes(32).toString('base64url');

function problems(env: Record<string, string>): string {
  try {
    loadEnvironment({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  return '';
}

describe('audit and detection settings', () => {
  it('has sane defaults', () => {
    const env = loadEnvironment(base);
    expect(env.throttle.login).toMatchObject({
      maxFailuresPerAccountIp: 10,
      maxFailuresPerAccount: 100,
      lockoutBaseSeconds: 60,
      lockoutMaxSeconds: 900,
    });
    expect(env.alerts.webhook).toBeUndefined();
    expect(env.audit.retentionDays).toBe(90);
  });

  it.each([
    [
      'a webhook URL without a secret',
      { ALERT_WEBHOOK_URL: 'https://hooks.example.test/w' },
      'ALERT_WEBHOOK_SECRET is required',
    ],
    [
      'a weak webhook secret',
      { ALERT_WEBHOOK_URL: 'https://hooks.example.test/w', ALERT_WEBHOOK_SECRET: 'changeme' },
      'ALERT_WEBHOOK_SECRET holds',
    ],
    ['a secret without a URL', { ALERT_WEBHOOK_SECRET: strong }, 'ALERT_WEBHOOK_URL is not'],
    [
      'a relative webhook URL',
      { ALERT_WEBHOOK_URL: '/hook', ALERT_WEBHOOK_SECRET: strong },
      'ALERT_WEBHOOK_URL must be an absolute',
    ],
    [
      'plain http in production',
      { NODE_ENV: 'production', ALERT_WEBHOOK_URL: 'http://hooks.example.test', ALERT_WEBHOOK_SECRET: strong },
      'ALERT_WEBHOOK_URL must use https',
    ],
    [
      'a non-numeric threshold',
      { LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: 'ten' },
      'LOGIN_MAX_FAILURES_PER_ACCOUNT_IP must be a whole number',
    ],
    [
      'an account limit below the account+IP limit',
      { LOGIN_MAX_FAILURES_PER_ACCOUNT: '5' },
      'LOGIN_MAX_FAILURES_PER_ACCOUNT must be at least',
    ],
    ['a lockout cap below its base', { LOGIN_LOCKOUT_MAX: '30s' }, 'LOGIN_LOCKOUT_MAX must be at least'],
    ['a bad duration', { LOGIN_FAILURE_WINDOW: 'soon' }, 'LOGIN_FAILURE_WINDOW must be a duration'],
    ['a zero retention', { AUDIT_RETENTION_DAYS: '0' }, 'AUDIT_RETENTION_DAYS must be a whole number'],
    ['a non-boolean rule switch', { ANOMALY_NEW_DEVICE: 'yes' }, 'ANOMALY_NEW_DEVICE must be true or false'],
  ])('refuses %s, naming the variable', (_case, env, message) => {
    expect(problems(env)).toContain(message);
  });

  it('accepts a webhook with a strong secret', () => {
    const env = loadEnvironment({
      ...base,
      ALERT_WEBHOOK_URL: 'https://hooks.example.test/w',
      ALERT_WEBHOOK_SECRET: strong,
    });
    expect(env.alerts.webhook).toMatchObject({ url: 'https://hooks.example.test/w', attempts: 5, timeoutSeconds: 5 });
  });
});
