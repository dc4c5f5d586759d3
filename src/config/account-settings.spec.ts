import { randomBytes } from 'node:crypto';
import { ConfigurationError, loadEnvironment } from './environment';

const secret = () => randomBytes(32).toString('base64url');
const secrets = () => ({ FINGERPRINT_SECRET: secret(), KEY_ENCRYPTION_KEY: secret(), CSRF_SECRET: secret() });

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadEnvironment({ NODE_ENV: 'development', ...secrets(), ...env }, { developmentSecrets: 'read-only' });
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

describe('mail and account settings', () => {
  it('needs nothing in development: the outbox, links to localhost, unverified logins refused', () => {
    const env = loadEnvironment(
      { NODE_ENV: 'development', ...secrets(), PORT: '4100' },
      { developmentSecrets: 'read-only' },
    );
    expect(env.mail).toMatchObject({ smtpUrl: null, outboxRoute: true, attempts: 5, timeoutSeconds: 10 });
    expect(env.accounts).toMatchObject({
      publicUrl: 'http://localhost:4100',
      unverifiedLogin: 'refuse',
      verificationTtlSeconds: 86_400,
      resetTtlSeconds: 1800,
      emailChangeUndoSeconds: 7 * 86_400,
    });
  });

  it('keeps the outbox route off outside development unless asked, and a trailing slash out of links', () => {
    const env = loadEnvironment(
      { NODE_ENV: 'test', ...secrets(), PUBLIC_URL: 'https://app.example.test/warden/' },
      { developmentSecrets: 'read-only' },
    );
    expect(env.mail.outboxRoute).toBe(false);
    expect(env.accounts.publicUrl).toBe('https://app.example.test/warden');
  });

  it.each([
    [
      'production without SMTP_URL',
      { NODE_ENV: 'production', PUBLIC_URL: 'https://w.example.test' },
      'SMTP_URL is required in production',
    ],
    [
      'production without PUBLIC_URL',
      { NODE_ENV: 'production', SMTP_URL: 'smtps://h.example.test' },
      'PUBLIC_URL is required in production',
    ],
    [
      'plain-http links in production',
      { NODE_ENV: 'production', SMTP_URL: 'smtps://h.example.test', PUBLIC_URL: 'http://w.example.test' },
      'PUBLIC_URL must use https',
    ],
    [
      'the outbox in production',
      { NODE_ENV: 'production', SMTP_URL: 'smtps://h', PUBLIC_URL: 'https://w.example.test', MAIL_OUTBOX: 'true' },
      'MAIL_OUTBOX=true is refused in production',
    ],
    [
      'the outbox with SMTP',
      { SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_OUTBOX: 'true' },
      'MAIL_OUTBOX=true needs SMTP_URL unset',
    ],
    ['an SMTP URL of another scheme', { SMTP_URL: 'https://smtp.example.test' }, 'SMTP_URL must start with smtp://'],
    ['an SMTP URL that is no URL', { SMTP_URL: 'smtp example test' }, 'SMTP_URL must look like'],
    [
      'a sender with a line break',
      { MAIL_FROM: 'Warden <a@b.test>\r\nBcc: x@evil.test' },
      'MAIL_FROM must be one address',
    ],
    ['two senders', { MAIL_FROM: 'a@b.test, c@d.test' }, 'MAIL_FROM must be one address'],
    ['links with a fragment', { PUBLIC_URL: 'https://w.example.test/#/x' }, 'PUBLIC_URL must have no query'],
    ['an unknown policy', { UNVERIFIED_LOGIN: 'sometimes' }, 'UNVERIFIED_LOGIN must be refuse or allow'],
    ['a reset link living for days', { PASSWORD_RESET_TTL: '3d' }, 'PASSWORD_RESET_TTL must be'],
    [
      'an undo window shorter than the change link',
      { EMAIL_CHANGE_TTL: '2d', EMAIL_CHANGE_UNDO_WINDOW: '1d' },
      'EMAIL_CHANGE_UNDO_WINDOW must be at least',
    ],
    [
      'a client limit under the address limit',
      { ACCOUNT_MAIL_MAX_PER_ADDRESS: '10', ACCOUNT_MAIL_MAX_PER_CLIENT: '5' },
      'ACCOUNT_MAIL_MAX_PER_CLIENT must be at least',
    ],
    ['no attempts at all', { MAIL_ATTEMPTS: '0' }, 'MAIL_ATTEMPTS must be a whole number'],
    [
      'certificate checks off in production',
      { NODE_ENV: 'production', PUBLIC_URL: 'https://w.test', SMTP_URL: 'smtps://h.test?tls.rejectUnauthorized=false' },
      'SMTP_URL must not turn TLS off in production',
    ],
    [
      'TLS ignored in production',
      { NODE_ENV: 'production', PUBLIC_URL: 'https://w.test', SMTP_URL: 'smtp://h.test?ignoreTLS=true' },
      'SMTP_URL must not turn TLS off in production',
    ],
  ])('refuses %s', (_case, env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  it('accepts a production mail setup', () => {
    expect(
      problems({
        NODE_ENV: 'production',
        TLS_TERMINATED_UPSTREAM: 'true',
        SMTP_URL: 'smtps://warden:secret@smtp.example.test:465',
        PUBLIC_URL: 'https://warden.example.test',
        MAIL_FROM: 'Warden <no-reply@example.test>',
        UNVERIFIED_LOGIN: 'allow',
      }),
    ).toEqual([]);
  });
});
