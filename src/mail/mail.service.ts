import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PinoLogger } from 'nestjs-pino';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { backoffDelayMs, WorkQueue } from '../common/work-queue';
import { mailConfig } from './mail.config';
import { MailDeliveryError, MailMessage, MailTransport } from './mail-message';

/** At most this many mails wait; past it a new mail is refused and recorded as failed (`queue_full`). */
export const MAIL_QUEUE_LIMIT = 1000;
/** Deliveries in flight at once: a hanging SMTP server ties up this many connections, never more. */
export const MAIL_CONCURRENCY = 4;

/**
 * Sends mail off the request path: `send` queues and returns at once, so an SMTP server that is slow or
 * down never holds up (or times) a request. A few workers drain the bounded queue; a failed attempt is
 * retried with exponential backoff up to MAIL_ATTEMPTS times, unless the server refused for good (5xx).
 * Every outcome is audited: `mail_sent` or `mail_failed` (reason `refused`, `retries_exhausted`,
 * `queue_full`, `shutdown`), so a mail that never left is visible to admins in the audit log.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly stopping = new AbortController();
  private readonly queue = new WorkQueue<MailMessage>({
    limit: MAIL_QUEUE_LIMIT,
    concurrency: MAIL_CONCURRENCY,
    overflow: 'refuse-new',
    process: (message) => this.deliver(message),
    onOverflow: (message) => this.failed(message, 'queue_full', 0),
    onError: (message, error) =>
      this.logger.error({ template: message.template, err: (error as Error).message }, 'mail delivery crashed'),
  });

  constructor(
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
    private readonly transport: MailTransport,
    private readonly audit: AuditService,
    private readonly logger: PinoLogger,
    private readonly clock: Clock,
  ) {
    logger.setContext(MailService.name);
  }

  send(message: MailMessage): void {
    if (this.stopping.signal.aborted) return this.failed(message, 'shutdown', 0);
    this.queue.push(message);
  }

  /** Resolves once nothing is queued or being delivered (tests; a graceful drain). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
    for (const message of this.queue.takeWaiting()) this.failed(message, 'shutdown', 0);
    this.transport.close();
  }

  private async deliver(message: MailMessage): Promise<void> {
    const { attempts, backoffMs } = this.config;
    let lastError = 'unknown';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const receipt = await this.transport.deliver(message, this.config.from);
        this.audit.record({
          type: 'mail_sent',
          success: true,
          userId: message.userId,
          client: message.client,
          metadata: { template: message.template, attempts: attempt, messageId: receipt.messageId },
        });
        // In development the log carries the address and link too, so the flows work from the terminal alone;
        // elsewhere neither (an address is personal data, a link is a credential).
        const development = this.config.outboxRoute ? { to: message.to, link: message.link } : {};
        this.logger.info({ template: message.template, userId: message.userId, ...development }, 'mail sent');
        return;
      } catch (error) {
        lastError = (error as Error).message;
        const permanent = error instanceof MailDeliveryError && error.permanent;
        this.logger.warn({ template: message.template, attempt, error: lastError }, 'mail delivery attempt failed');
        if (permanent) return this.failed(message, 'refused', attempt, lastError);
      }
      if (attempt === attempts) break;
      try {
        await this.clock.sleep(backoffDelayMs(backoffMs, attempt), this.stopping.signal);
      } catch {
        return this.failed(message, 'shutdown', attempt, lastError);
      }
    }
    this.failed(message, 'retries_exhausted', attempts, lastError);
  }

  private failed(message: MailMessage, reason: string, attempts: number, error?: string): void {
    this.audit.record({
      type: 'mail_failed',
      success: false,
      userId: message.userId,
      client: message.client,
      reason,
      metadata: { template: message.template, attempts, ...(error ? { error } : {}) },
    });
    this.logger.error({ template: message.template, reason, attempts, error }, 'mail not delivered');
  }
}
