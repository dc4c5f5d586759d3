import { appConfig } from '../config/app-settings';
import { duration, integer, readHttpsUrl, text } from '../config/readers';
import { defineSettings, SettingsContext } from '../config/settings';

/** The account flows that send mail: verification, reset, email change. */
export const ACCOUNT_SETTINGS = {
  /** Origin (and optional path) of the browser client; every link in a mail starts with it. */
  PUBLIC_URL: text(),
  EMAIL_VERIFICATION_TTL: duration('24h', 300, 7 * 86_400),
  PASSWORD_RESET_TTL: duration('30m', 300, 86_400, 'a reset link is a password for its lifetime'),
  EMAIL_CHANGE_TTL: duration('1h', 300, 7 * 86_400),
  EMAIL_CHANGE_UNDO_WINDOW: duration('7d', 3600, 90 * 86_400),
  /** Mails one address may be sent, and requests one client may make, per window (then 429 and an alert). */
  ACCOUNT_MAIL_WINDOW: duration('1h', 60, 86_400),
  ACCOUNT_MAIL_MAX_PER_ADDRESS: integer(5, 1, 1000),
  ACCOUNT_MAIL_MAX_PER_CLIENT: integer(20, 1, 1_000_000),
};

export const accountsConfig = defineSettings('accounts', ACCOUNT_SETTINGS, (values, context) => {
  const { production, problems } = context;
  if (production && !values.PUBLIC_URL) {
    problems.push(
      'PUBLIC_URL is required in production: the https address of the browser client, used in mailed links',
    );
  }
  if (values.EMAIL_CHANGE_UNDO_WINDOW < values.EMAIL_CHANGE_TTL) {
    problems.push('EMAIL_CHANGE_UNDO_WINDOW must be at least EMAIL_CHANGE_TTL');
  }
  if (values.ACCOUNT_MAIL_MAX_PER_CLIENT < values.ACCOUNT_MAIL_MAX_PER_ADDRESS) {
    problems.push('ACCOUNT_MAIL_MAX_PER_CLIENT must be at least ACCOUNT_MAIL_MAX_PER_ADDRESS');
  }
  return {
    publicUrl: readPublicUrl(values.PUBLIC_URL, context),
    verificationTtlSeconds: values.EMAIL_VERIFICATION_TTL,
    resetTtlSeconds: values.PASSWORD_RESET_TTL,
    emailChangeTtlSeconds: values.EMAIL_CHANGE_TTL,
    emailChangeUndoSeconds: values.EMAIL_CHANGE_UNDO_WINDOW,
    mailLimit: {
      windowSeconds: values.ACCOUNT_MAIL_WINDOW,
      perAddress: values.ACCOUNT_MAIL_MAX_PER_ADDRESS,
      perClient: values.ACCOUNT_MAIL_MAX_PER_CLIENT,
    },
  };
});

/** Unset: the development server itself. Production requires it (above), so its default is never judged there. */
function readPublicUrl(value: string | undefined, context: SettingsContext): string {
  const raw = (value ?? `http://localhost:${context.get(appConfig).port}`).trim();
  const invalid = 'PUBLIC_URL must be the absolute URL of the browser client, e.g. https://warden.example.com';
  const url = readHttpsUrl('PUBLIC_URL', raw, invalid, {
    production: context.production && !!value,
    problems: context.problems,
  });
  if (!url) return raw;
  if (url.search || url.hash || url.username || url.password) {
    context.problems.push('PUBLIC_URL must have no query, fragment or credentials');
  }
  // Links are built as `${publicUrl}/#/...`; no trailing slash so they never read `//#/`.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
