import { AccountMailer } from '../../src/accounts/account-mailer';
import { DevOutbox } from '../../src/mail/dev-outbox';
import { MailTransport } from '../../src/mail/mail-message';
import { rememberSecrets } from './secret-leaks';
import type { TestApp } from './test-app';

/** The token of the newest mail of `template` to `to`, from the in-memory outbox (no SMTP_URL in tests). */
export async function mailedToken(t: TestApp, to: string, template: string): Promise<string> {
  await t.app.get(AccountMailer).idle();
  const outbox = t.app.get(MailTransport);
  if (!(outbox instanceof DevOutbox)) throw new Error('mailedToken needs the outbox (SMTP_URL unset)');
  const link = outbox.list(to).find((entry) => entry.template === template)?.link;
  const token = link ? /\?token=([\w-]+)$/.exec(link)?.[1] : undefined;
  if (!token) throw new Error(`no ${template} mail to ${to}`);
  rememberSecrets(token);
  return token;
}
