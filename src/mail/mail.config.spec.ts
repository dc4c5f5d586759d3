import { loadSlice } from '../config/compose';
import { mailConfig } from './mail.config';
import { configurationProblems } from '../../test/helpers/configuration';

function problems(env: NodeJS.ProcessEnv): string[] {
  return configurationProblems(() => loadSlice(mailConfig, { NODE_ENV: 'development', ...env }));
}

describe('mail settings', () => {
  it('needs nothing in development: mail goes to the outbox', () => {
    expect(loadSlice(mailConfig, { NODE_ENV: 'development' })).toMatchObject({
      smtpUrl: null,
      outboxRoute: true,
      attempts: 5,
      timeoutSeconds: 10,
    });
  });

  it('keeps the outbox route off outside development unless asked', () => {
    expect(loadSlice(mailConfig, { NODE_ENV: 'test' }).outboxRoute).toBe(false);
  });

  it.each([
    ['production without SMTP_URL', { NODE_ENV: 'production' }, 'SMTP_URL is required in production'],
    [
      'the outbox in production',
      { NODE_ENV: 'production', SMTP_URL: 'smtps://h', MAIL_OUTBOX: 'true' },
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
    ['no attempts at all', { MAIL_ATTEMPTS: '0' }, 'MAIL_ATTEMPTS must be a whole number'],
    [
      'certificate checks off in production',
      { NODE_ENV: 'production', SMTP_URL: 'smtps://h.test?tls.rejectUnauthorized=false' },
      'SMTP_URL must not turn TLS off in production',
    ],
    [
      'TLS ignored in production',
      { NODE_ENV: 'production', SMTP_URL: 'smtp://h.test?ignoreTLS=true' },
      'SMTP_URL must not turn TLS off in production',
    ],
  ])('refuses %s', (_case, env, message) => {
    expect(problems(env).join('\n')).toContain(message);
  });

  it('accepts a production mail setup', () => {
    expect(
      problems({
        NODE_ENV: 'production',
        SMTP_URL: 'smtps://warden:secret@smtp.example.test:465',
        MAIL_FROM: 'Warden <no-reply@example.test>',
      }),
    ).toEqual([]);
  });
});
