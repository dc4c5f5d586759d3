import { randomUUID } from 'node:crypto';
import type { DeliveryReceipt, MailMessage } from './mail-message';
import { MailTransport } from './mail-message';

/** The newest this many mails are kept; older ones fall out. */
export const OUTBOX_LIMIT = 100;

export interface OutboxEntry {
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  template: string;
  link: string | null;
  sentAt: string;
}

/**
 * Where mail goes without SMTP_URL (never in production, which requires it): kept in memory so that
 * `npm run start:dev` needs no mail server, and shown by GET /api/dev/outbox in development.
 */
export class DevOutbox extends MailTransport {
  private readonly entries: OutboxEntry[] = [];

  constructor(private readonly now: () => Date) {
    super();
  }

  deliver(message: MailMessage, from: string): Promise<DeliveryReceipt> {
    const entry: OutboxEntry = {
      id: randomUUID(),
      to: message.to,
      from,
      subject: message.subject,
      text: message.text,
      html: message.html,
      template: message.template,
      link: message.link ?? null,
      sentAt: this.now().toISOString(),
    };
    this.entries.unshift(entry);
    this.entries.length = Math.min(this.entries.length, OUTBOX_LIMIT);
    return Promise.resolve({ messageId: `<${entry.id}@outbox.warden>` });
  }

  /** Newest first; optionally only the mails to one address. */
  list(to?: string): OutboxEntry[] {
    return to ? this.entries.filter((entry) => entry.to === to.toLowerCase()) : [...this.entries];
  }
}
