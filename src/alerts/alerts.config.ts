import { developmentSecretProblem, isDevelopmentSecret } from '../config/development-secrets';
import { duration, integer, readHttpsUrl, secret, text } from '../config/readers';
import { decodeSecret } from '../config/secrets';
import { defineSettings } from '../config/settings';

export interface AlertSettings {
  webhook?: { url: string; secret: Buffer; timeoutSeconds: number; attempts: number; backoffMs: number };
}

export const ALERT_SETTINGS = {
  ALERT_WEBHOOK_URL: text(),
  ALERT_WEBHOOK_SECRET: secret(),
  ALERT_WEBHOOK_TIMEOUT: duration('5s', 1, 60),
  ALERT_WEBHOOK_ATTEMPTS: integer(5, 1, 20),
  ALERT_WEBHOOK_BACKOFF_MS: integer(1000, 0, 600_000),
};

/**
 * The webhook is optional; its secret is required exactly when the URL is set, and judged like every other
 * secret. Production only posts over HTTPS: an alert says who is under attack.
 */
export const alertsConfig = defineSettings('alerts', ALERT_SETTINGS, (values, context): AlertSettings => {
  const { problems, production } = context;
  const url = values.ALERT_WEBHOOK_URL?.trim();
  const secret = values.ALERT_WEBHOOK_SECRET?.value;
  if (!url) {
    if (secret) problems.push('ALERT_WEBHOOK_SECRET is set but ALERT_WEBHOOK_URL is not; set both or neither');
    return {};
  }
  const invalid = 'ALERT_WEBHOOK_URL must be an absolute http(s) URL, e.g. https://hooks.example.com/warden';
  const parsed = readHttpsUrl('ALERT_WEBHOOK_URL', url, invalid, context);
  if (!parsed) return {};
  if (!secret) {
    problems.push(
      'ALERT_WEBHOOK_SECRET is required when ALERT_WEBHOOK_URL is set; generate one with `npm run cli -- secrets:generate`',
    );
    return {};
  }
  if (production && isDevelopmentSecret(secret)) {
    problems.push(developmentSecretProblem('ALERT_WEBHOOK_SECRET'));
    return {};
  }
  const decoded = decodeSecret(secret);
  if ('problem' in decoded) {
    problems.push(`ALERT_WEBHOOK_SECRET ${decoded.problem}; generate one with \`npm run cli -- secrets:generate\``);
    return {};
  }
  const delivery = {
    timeoutSeconds: values.ALERT_WEBHOOK_TIMEOUT,
    attempts: values.ALERT_WEBHOOK_ATTEMPTS,
    backoffMs: values.ALERT_WEBHOOK_BACKOFF_MS,
  };
  return { webhook: { url: parsed.toString(), secret: decoded.bytes, ...delivery } };
});
