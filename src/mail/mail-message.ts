import type { ClientInfo } from '../common/client-info';

/** A rendered mail, ready for any transport. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Which template made it (audit metadata; the body itself, with its link, is never audited or logged). */
  template: string;
  /** The account the mail is about, and the request that caused it, for the audit trail. */
  userId?: string | null;
  client?: ClientInfo;
  /** The link in the mail, shown by the development outbox and its log line; never by the SMTP path. */
  link?: string;
}

/** What a transport reports for a delivered mail. */
export interface DeliveryReceipt {
  messageId: string;
}

/**
 * Thrown by a transport: `permanent` failures (SMTP 5xx: unknown mailbox, refused sender) are not retried,
 * everything else (4xx, timeouts, connection errors) is.
 */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

export abstract class MailTransport {
  abstract deliver(message: MailMessage, from: string): Promise<DeliveryReceipt>;
  close(): void {}
}
