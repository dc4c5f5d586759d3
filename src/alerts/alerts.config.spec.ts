import { randomBytes } from 'node:crypto';
import { loadSlice } from '../config/compose';
import { generateDevelopmentSecret } from '../config/development-secrets';
import { alertsConfig } from './alerts.config';
import { configurationProblems } from '../../test/helpers/configuration';

const strong = randomBytes(32).toString('base64url');

function problems(env: Record<string, string>): string {
  return configurationProblems(() => loadSlice(alertsConfig, { NODE_ENV: 'test', ...env })).join('\n');
}

describe('alert settings', () => {
  it('has no webhook by default', () => {
    expect(loadSlice(alertsConfig, { NODE_ENV: 'test' }).webhook).toBeUndefined();
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
      'a development secret in production, wherever it was copied to',
      {
        NODE_ENV: 'production',
        ALERT_WEBHOOK_URL: 'https://hooks.example.com/w',
        ALERT_WEBHOOK_SECRET: generateDevelopmentSecret(),
      },
      'ALERT_WEBHOOK_SECRET is a development secret',
    ],
  ])('refuses %s, naming the variable', (_case, env, message) => {
    expect(problems(env)).toContain(message);
  });

  it('accepts a webhook with a strong secret', () => {
    const alerts = loadSlice(alertsConfig, {
      NODE_ENV: 'test',
      ALERT_WEBHOOK_URL: 'https://hooks.example.test/w',
      ALERT_WEBHOOK_SECRET: strong,
    });
    expect(alerts.webhook).toMatchObject({ url: 'https://hooks.example.test/w', attempts: 5, timeoutSeconds: 5 });
  });
});
