import { AccountMailer } from '../src/accounts/account-mailer';
import { AccountTokensService } from '../src/accounts/account-tokens.service';
import { adminSession, loginBearer, STRONG_PASSWORD } from './factories/users';
import { type AuditItem, bodyOf, messageOf, type Page } from './helpers/api';
import { rememberSecrets } from './helpers/secret-leaks';
import { linkToken, startSmtpReceiver, type SmtpReceiver } from './helpers/smtp-receiver';
import { createTestApp, type TestApp } from './helpers/test-app';

const NEW_PASSWORD = 'amber-glacier-orchid-77';

/** Registration, verification, reset and email change end to end, reading what a real SMTP server received. */
describe('account flows over real SMTP', () => {
  let smtp: SmtpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    t = await createTestApp({ env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://warden.example.test' } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const register = (email: string, password = STRONG_PASSWORD) =>
    t.http().post('/api/auth/register').send({ email, password });
  const login = (email: string, password = STRONG_PASSWORD) =>
    t.http().post('/api/auth/login').send({ email, password, transport: 'bearer' });
  const token = (text: string, route: string) => {
    const value = linkToken(text, route);
    rememberSecrets(value);
    return value;
  };

  it('registers, mails a verification link in the fragment, refuses login until it is followed', async () => {
    await register('ada@example.test').expect(202);
    const mail = await smtp.nextTo('ada@example.test');
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain('https://warden.example.test/#/verify-email?token=');
    expect(mail.html).toContain('https://warden.example.test/#/verify-email?token=');

    const refused = await login('ada@example.test').expect(403);
    expect(messageOf(refused)).toMatch(/Confirm your email address first/);

    const verify = token(mail.text, 'verify-email');
    await t.http().post('/api/auth/verify-email').send({ token: verify }).expect(200, { email: 'ada@example.test' });
    await login('ada@example.test').expect(200);
    await t.http().post('/api/auth/verify-email').send({ token: verify }).expect(400);
    const types = (await t.auditEvents()).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['register', 'mail_sent', 'email_verified', 'account_token_refused']));
  });

  it('tells the owner of a taken address that someone tried to register, and changes nothing', async () => {
    await register('grace@example.test').expect(202);
    await t
      .http()
      .post('/api/auth/verify-email')
      .send({ token: token((await smtp.nextTo('grace@example.test')).text, 'verify-email') })
      .expect(200);
    await register('grace@example.test', 'someone-elses-password-9').expect(202);
    const notice = await smtp.nextTo('grace@example.test');
    expect(notice.subject).toBe('Someone tried to register with your address');
    expect(notice.text).not.toMatch(/token=/);
    await login('grace@example.test').expect(200);
    await login('grace@example.test', 'someone-elses-password-9').expect(401);
  });

  it('resets a password: every session and access token ends, and the owner is told', async () => {
    await register('linus@example.test').expect(202);
    await t
      .http()
      .post('/api/auth/verify-email')
      .send({ token: token((await smtp.nextTo('linus@example.test')).text, 'verify-email') })
      .expect(200);
    const session = await loginBearer(t, { id: '', email: 'linus@example.test', password: STRONG_PASSWORD });
    await t.http().get('/api/users/me').set(session.headers).expect(200);

    await t.http().post('/api/auth/password-reset').send({ email: 'linus@example.test' }).expect(202);
    const mail = await smtp.nextTo('linus@example.test');
    expect(mail.subject).toBe('Reset your password');
    const reset = token(mail.text, 'reset-password');
    rememberSecrets(NEW_PASSWORD);
    await t
      .http()
      .post('/api/auth/password-reset/confirm')
      .send({ token: reset, newPassword: NEW_PASSWORD })
      .expect(204);

    expect((await smtp.nextTo('linus@example.test')).subject).toBe('Your password was changed');
    await t.http().get('/api/users/me').set(session.headers).expect(401);
    await t
      .http()
      .post('/api/auth/refresh')
      .send({ transport: 'bearer', refreshToken: session.refreshToken })
      .expect(401);
    await login('linus@example.test').expect(401);
    await login('linus@example.test', NEW_PASSWORD).expect(200);
  });

  it('refuses a reset password that breaks the registration policy', async () => {
    const response = await t
      .http()
      .post('/api/auth/password-reset/confirm')
      .send({ token: 'x'.repeat(43), newPassword: 'password1234' })
      .expect(400);
    expect(JSON.stringify(messageOf(response))).toContain('newPassword');
  });

  it('changes the email after the new address confirms, and the old address can undo it', async () => {
    await register('margaret@example.test').expect(202);
    await t
      .http()
      .post('/api/auth/verify-email')
      .send({ token: token((await smtp.nextTo('margaret@example.test')).text, 'verify-email') })
      .expect(200);
    const session = await loginBearer(t, { id: '', email: 'margaret@example.test', password: STRONG_PASSWORD });

    await t
      .http()
      .post('/api/users/me/email')
      .set(session.headers)
      .send({ currentPassword: 'not-the-password-1', newEmail: 'mh@example.test' })
      .expect(400);
    await t
      .http()
      .post('/api/users/me/email')
      .set(session.headers)
      .send({ currentPassword: STRONG_PASSWORD, newEmail: 'MH@example.test' })
      .expect(202);
    const confirm = await smtp.nextTo('mh@example.test');
    expect(confirm.subject).toBe('Confirm your new email address');
    // Nothing changes before the new address confirms.
    await login('margaret@example.test').expect(200);

    await t
      .http()
      .post('/api/auth/email-change/confirm')
      .send({ token: token(confirm.text, 'confirm-email') })
      .expect(200, { email: 'mh@example.test' });
    await login('mh@example.test').expect(200);
    await login('margaret@example.test').expect(401);

    const notice = await smtp.nextTo('margaret@example.test');
    expect(notice.subject).toBe('Your sign-in address was changed');
    expect(notice.text).toContain('mh@example.test');
    await t
      .http()
      .post('/api/auth/email-change/undo')
      .send({ token: token(notice.text, 'undo-email-change') })
      .expect(200, { email: 'margaret@example.test' });
    await t.http().get('/api/users/me').set(session.headers).expect(401);
    await login('margaret@example.test').expect(200);
    await login('mh@example.test').expect(401);
    // Whoever changed the address knew the password: the owner gets a reset link at the restored address.
    expect((await smtp.nextTo('margaret@example.test')).subject).toBe('Reset your password');
  });

  it('counts wrong current passwords of an email change like failed logins: a stolen session is no oracle', async () => {
    const guarded = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '2', SMTP_URL: smtp.url } });
    try {
      const owner = await adminSession(guarded);
      const change = (currentPassword: string) =>
        guarded
          .http()
          .post('/api/users/me/email')
          .set(owner.session.headers)
          .send({ currentPassword, newEmail: 'elsewhere@example.test' });
      await change('guess-number-one-1').expect(400);
      await change('guess-number-two-2').expect(400);
      // Locked now: even the right password gets 429, and nothing is sent.
      await change(STRONG_PASSWORD).expect(429);
      const failures = await guarded.auditEvents({ type: 'email_change_failed', userId: owner.user.id });
      expect(failures.map((event) => event.reason)).toEqual([
        'bad_current_password',
        'bad_current_password',
        'locked_out',
      ]);
    } finally {
      await guarded.close();
    }
  });

  it('offers no link when the new address belongs to another account, with the same answer', async () => {
    await register('barbara@example.test').expect(202);
    await smtp.nextTo('barbara@example.test');
    const owner = await adminSession(t); // any verified account
    const response = await t
      .http()
      .post('/api/users/me/email')
      .set(owner.session.headers)
      .send({ currentPassword: STRONG_PASSWORD, newEmail: 'barbara@example.test' })
      .expect(202);
    expect(messageOf(response)).toMatch(/Check the new address/);
    const mail = await smtp.nextTo('barbara@example.test');
    expect(mail.subject).toBe('Someone tried to use your address');
    expect(mail.text).not.toMatch(/token=/);
  });
});

describe('SMTP failures', () => {
  let smtp: SmtpReceiver;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    // The fake clock's sleep returns at once: backoff is recorded, not waited for.
    t = await createTestApp({ env: { SMTP_URL: smtp.url, MAIL_ATTEMPTS: '3', MAIL_TIMEOUT: '1s' } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });
  // Mail queued by the previous test (e.g. its admin's verification) is out before the behaviour changes.
  beforeEach(() => t.app.get(AccountMailer).idle());

  async function failuresAfter(email: string) {
    await t.http().post('/api/auth/register').send({ email, password: STRONG_PASSWORD }).expect(202);
    await t.app.get(AccountMailer).idle();
    return t.auditEvents({ type: 'mail_failed' });
  }

  it('retries a temporary refusal with backoff, then records the failure for admins', async () => {
    smtp.behaviour = 'tempfail';
    smtp.attempts = 0;
    const sleepsBefore = t.clock.sleeps.length;
    const failures = await failuresAfter('temp@example.test');
    expect(smtp.attempts).toBe(3);
    const backoff = t.clock.sleeps.slice(sleepsBefore);
    expect(backoff).toHaveLength(2);
    expect(backoff[1]).toBeGreaterThan(backoff[0] * 0.5);
    expect(failures.at(-1)).toMatchObject({
      success: false,
      reason: 'retries_exhausted',
      metadata: { template: 'verify_email', attempts: 3, error: 'SMTP 451' },
    });
    const admin = await adminSession(t);
    const listed = await t.http().get('/api/admin/audit?type=mail_failed').set(admin.session.headers).expect(200);
    expect(bodyOf<Page<AuditItem>>(listed).items[0]).toMatchObject({
      type: 'mail_failed',
      reason: 'retries_exhausted',
    });
  });

  it('does not retry a permanent refusal (5xx)', async () => {
    smtp.behaviour = 'reject';
    smtp.attempts = 0;
    const failures = await failuresAfter('gone@example.test');
    expect(smtp.attempts).toBe(1);
    expect(failures.at(-1)).toMatchObject({ reason: 'refused', metadata: { attempts: 1, error: 'SMTP 550' } });
  });

  it('gives up on a server that never answers after MAIL_TIMEOUT per attempt, and records it', async () => {
    smtp.behaviour = 'hang';
    smtp.attempts = 0;
    const failures = await failuresAfter('slow@example.test');
    expect(smtp.attempts).toBe(3);
    expect(failures.at(-1)).toMatchObject({ reason: 'retries_exhausted', metadata: { attempts: 3 } });
  });

  it('records a mail whose link could not even be stored', async () => {
    const tokens = t.app.get(AccountTokensService);
    const issue = jest.spyOn(tokens, 'issue').mockRejectedValueOnce(new Error('database unavailable'));
    try {
      const failures = await failuresAfter('unprepared@example.test');
      expect(failures.at(-1)).toMatchObject({
        reason: 'not_prepared',
        metadata: { template: 'verify_email', attempts: 0, error: 'database unavailable' },
      });
    } finally {
      issue.mockRestore();
    }
  });

  it('sends again once the server recovers', async () => {
    smtp.behaviour = 'accept';
    await t
      .http()
      .post('/api/auth/register')
      .send({ email: 'back@example.test', password: STRONG_PASSWORD })
      .expect(202);
    expect((await smtp.nextTo('back@example.test')).subject).toBe('Confirm your email address');
  });
});
