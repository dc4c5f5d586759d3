import { AccountMailer } from '../src/accounts/account-mailer';
import { DEV_OUTBOX_META } from '../src/client/dev-outbox-page';
import { STRONG_PASSWORD } from './factories/users';
import { bodyOf, type OutboxMail } from './helpers/api';
import { startSmtpReceiver } from './helpers/smtp-receiver';
import { createTestApp } from './helpers/test-app';

/** The development outbox shows every mail with its link, so it answers only where MAIL_OUTBOX says. */
describe('GET /api/dev/outbox', () => {
  it('lists the mails, newest first, when MAIL_OUTBOX is on', async () => {
    const t = await createTestApp({ env: { MAIL_OUTBOX: 'true' } });
    try {
      await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'ada@example.test', password: STRONG_PASSWORD })
        .expect(202);
      // Account mails are prepared and sent after the answer, side by side: wait, so the order is known.
      await t.app.get(AccountMailer).idle();
      await t.http().post('/api/auth/password-reset').send({ email: 'ada@example.test' }).expect(202);
      await t.app.get(AccountMailer).idle();
      const { items } = bodyOf<{ items: OutboxMail[] }>(await t.http().get('/api/dev/outbox').expect(200));
      expect(items.map((mail) => mail.template)).toEqual(['password_reset', 'verify_email']);
      expect(items[0].link).toMatch(/\/#\/reset-password\?token=[\w-]{43}$/);
      const other = await t.http().get('/api/dev/outbox?to=nobody@example.test').expect(200);
      expect(bodyOf<{ items: OutboxMail[] }>(other).items).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('is a 404 by default outside development, and with SMTP', async () => {
    const smtp = await startSmtpReceiver();
    try {
      for (const env of [{}, { SMTP_URL: smtp.url }]) {
        const t = await createTestApp({ env });
        try {
          const response = await t.http().get('/api/dev/outbox').expect(404);
          expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
        } finally {
          await t.close();
        }
      }
    } finally {
      await smtp.close();
    }
  });

  it('is announced in the client page where it answers, and the page is the built file untouched elsewhere', async () => {
    const meta = `<meta name="${DEV_OUTBOX_META}" content="true" />`;
    const withOutbox = await createTestApp({ env: { MAIL_OUTBOX: 'true' } });
    try {
      for (const path of ['/', '/index.html']) {
        const page = await withOutbox.http().get(path).expect(200);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.headers['cache-control']).toBe('no-cache');
        expect(page.headers['content-security-policy']).toContain("script-src 'self'");
        expect(page.text).toContain('<div id="view"');
        expect(page.text).toContain(`${meta}\n  </head>`);
      }
    } finally {
      await withOutbox.close();
    }
    const without = await createTestApp();
    try {
      const page = await without.http().get('/').expect(200);
      expect(page.text).toContain('<div id="view"');
      expect(page.text).not.toContain(DEV_OUTBOX_META);
    } finally {
      await without.close();
    }
  });
});
