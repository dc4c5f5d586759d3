/**
 * Mail delivery and the account flows that send mail (verification, reset, email change). Parsed here and
 * composed into the environment by loadEnvironment, which passes the typed duration and integer readers.
 */

export type UnverifiedLogin = 'refuse' | 'allow';

export interface MailSettings {
  /** nodemailer SMTP URL (smtp:// or smtps://), or null: development/test mail goes to the in-memory outbox. */
  smtpUrl: string | null;
  from: string;
  /** GET /api/dev/outbox answers (development only); the outbox itself always exists when smtpUrl is null. */
  outboxRoute: boolean;
  attempts: number;
  backoffMs: number;
  timeoutSeconds: number;
}

export interface AccountSettings {
  /** Origin (and optional path) of the browser client; every link in a mail starts with it. */
  publicUrl: string;
  unverifiedLogin: UnverifiedLogin;
  verificationTtlSeconds: number;
  resetTtlSeconds: number;
  emailChangeTtlSeconds: number;
  emailChangeUndoSeconds: number;
  /** Mails one address may be sent, and requests one client may make, per window (then 429 and an alert). */
  mailLimit: { windowSeconds: number; perAddress: number; perClient: number };
}

export interface AccountSettingsInput {
  production: boolean;
  development: boolean;
  port: number;
  durations: Omit<AccountSettings, 'publicUrl' | 'unverifiedLogin' | 'mailLimit'> & {
    mailWindowSeconds: number;
    mailTimeoutSeconds: number;
  };
  integers: { perAddress: number; perClient: number; attempts: number; backoffMs: number };
}

/** "Name <a@b.c>" or "a@b.c": no line breaks (header injection), one address. */
const MAIL_FROM_FORMAT = /^(?:[^<>\r\n"]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/;

export function resolveAccountSettings(
  env: NodeJS.ProcessEnv,
  input: AccountSettingsInput,
  problems: string[],
): { mail: MailSettings; accounts: AccountSettings } {
  const { production, development, durations, integers } = input;
  const smtpUrl = readSmtpUrl(env.SMTP_URL, production, problems);
  const from = (env.MAIL_FROM ?? 'Warden <no-reply@localhost>').trim();
  if (!MAIL_FROM_FORMAT.test(from)) {
    problems.push('MAIL_FROM must be one address, e.g. "Warden <no-reply@example.com>" or no-reply@example.com');
  }
  const outboxRoute = env.MAIL_OUTBOX === undefined ? development : env.MAIL_OUTBOX === 'true';
  if (outboxRoute && production) {
    problems.push('MAIL_OUTBOX=true is refused in production: it shows every mail, links included, to anyone');
  }
  if (outboxRoute && smtpUrl) problems.push('MAIL_OUTBOX=true needs SMTP_URL unset: mail goes to one or the other');

  if (production && !env.PUBLIC_URL) {
    problems.push(
      'PUBLIC_URL is required in production: the https address of the browser client, used in mailed links',
    );
  }
  const publicUrl = readPublicUrl(
    env.PUBLIC_URL ?? `http://localhost:${input.port}`,
    production && !!env.PUBLIC_URL,
    problems,
  );
  if (durations.emailChangeUndoSeconds < durations.emailChangeTtlSeconds) {
    problems.push('EMAIL_CHANGE_UNDO_WINDOW must be at least EMAIL_CHANGE_TTL');
  }
  if (integers.perClient < integers.perAddress) {
    problems.push('ACCOUNT_MAIL_MAX_PER_CLIENT must be at least ACCOUNT_MAIL_MAX_PER_ADDRESS');
  }
  return {
    mail: {
      smtpUrl,
      from,
      outboxRoute,
      attempts: integers.attempts,
      backoffMs: integers.backoffMs,
      timeoutSeconds: durations.mailTimeoutSeconds,
    },
    accounts: {
      publicUrl,
      unverifiedLogin: (env.UNVERIFIED_LOGIN ?? 'refuse') as UnverifiedLogin,
      verificationTtlSeconds: durations.verificationTtlSeconds,
      resetTtlSeconds: durations.resetTtlSeconds,
      emailChangeTtlSeconds: durations.emailChangeTtlSeconds,
      emailChangeUndoSeconds: durations.emailChangeUndoSeconds,
      mailLimit: {
        windowSeconds: durations.mailWindowSeconds,
        perAddress: integers.perAddress,
        perClient: integers.perClient,
      },
    },
  };
}

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

function readPublicUrl(value: string, production: boolean, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    problems.push('PUBLIC_URL must be the absolute URL of the browser client, e.g. https://warden.example.com');
    return value;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && !production)) {
    problems.push('PUBLIC_URL must use https (plain http is accepted outside production only)');
  }
  if (url.search || url.hash || url.username || url.password) {
    problems.push('PUBLIC_URL must have no query, fragment or credentials');
  }
  // Links are built as `${publicUrl}/#/...`; no trailing slash so they never read `//#/`.
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
