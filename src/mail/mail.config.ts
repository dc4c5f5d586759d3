import { boolean, duration, integer, text } from '../config/readers';
import { defineSettings } from '../config/settings';

/** "Name <a@b.c>" or "a@b.c": no line breaks (header injection), one address. */
const MAIL_FROM_FORMAT = /^(?:[^<>\r\n"]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/;

export const MAIL_SETTINGS = {
  /** nodemailer SMTP URL (smtp:// or smtps://); unset: development/test mail goes to the in-memory outbox. */
  SMTP_URL: text(),
  MAIL_FROM: text('Warden <no-reply@localhost>'),
  /** GET /api/dev/outbox answers (development only); the outbox itself always exists without SMTP_URL. */
  MAIL_OUTBOX: boolean(({ nodeEnv }) => nodeEnv === 'development', { refuseEmpty: true }),
  MAIL_TIMEOUT: duration('10s', 1, 120),
  MAIL_ATTEMPTS: integer(5, 1, 20),
  MAIL_BACKOFF_MS: integer(2000, 0, 600_000),
};

export const mailConfig = defineSettings('mail', MAIL_SETTINGS, (values, { production, problems }) => {
  const smtpUrl = readSmtpUrl(values.SMTP_URL, production, problems);
  const from = values.MAIL_FROM.trim();
  if (!MAIL_FROM_FORMAT.test(from)) {
    problems.push('MAIL_FROM must be one address, e.g. "Warden <no-reply@example.com>" or no-reply@example.com');
  }
  const outboxRoute = values.MAIL_OUTBOX;
  if (outboxRoute && production) {
    problems.push('MAIL_OUTBOX=true is refused in production: it shows every mail, links included, to anyone');
  }
  if (outboxRoute && smtpUrl) problems.push('MAIL_OUTBOX=true needs SMTP_URL unset: mail goes to one or the other');
  return {
    smtpUrl,
    from,
    outboxRoute,
    attempts: values.MAIL_ATTEMPTS,
    backoffMs: values.MAIL_BACKOFF_MS,
    timeoutSeconds: values.MAIL_TIMEOUT,
  };
});

function readSmtpUrl(value: string | undefined, production: boolean, problems: string[]): string | null {
  const raw = value?.trim();
  if (!raw) {
    if (production) problems.push('SMTP_URL is required in production, e.g. smtps://user:password@smtp.example.com');
    return null;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('SMTP_URL must look like smtps://user:password@smtp.example.com:465 or smtp://host:587');
    return null;
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    problems.push('SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS)');
    return null;
  }
  // nodemailer reads options from the query string; these two would let anyone on the path read the links.
  const query = url.searchParams;
  if (production && (query.get('tls.rejectUnauthorized') === 'false' || query.get('ignoreTLS') === 'true')) {
    problems.push('SMTP_URL must not turn TLS off in production (tls.rejectUnauthorized=false, ignoreTLS=true)');
  }
  return raw;
}

/**
 * smtp:// upgrades with STARTTLS only when the server offers it, and someone on the path can strip the
 * offer: the mail, links included, then travels in clear. smtps:// or requireTLS=true close that.
 */
export function smtpTransportSecurity(smtpUrl: string): 'tls' | 'opportunistic' {
  const url = new URL(smtpUrl);
  return url.protocol === 'smtps:' || url.searchParams.get('requireTLS') === 'true' ? 'tls' : 'opportunistic';
}
