import type { ConfigType } from '@nestjs/config';
import type { PinoLogger } from 'nestjs-pino';
import type { AuditRecord, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import type { mailConfig } from './mail.config';
import { DeliveryReceipt, MailMessage, MailTransport } from './mail-message';
import { MAIL_QUEUE_LIMIT, MailService } from './mail.service';

/** A transport that holds every delivery until released. */
class HeldTransport extends MailTransport {
  delivered: string[] = [];
  private releases: (() => void)[] = [];

  deliver(message: MailMessage): Promise<DeliveryReceipt> {
    return new Promise((resolve) =>
      this.releases.push(() => {
        this.delivered.push(message.to);
        resolve({ messageId: `<${message.to}>` });
      }),
    );
  }

  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

const config: ConfigType<typeof mailConfig> = {
  from: 'w@example.test',
  attempts: 3,
  backoffMs: 1,
  timeoutSeconds: 1,
  outboxRoute: false,
  smtpUrl: null,
};
const message = (to: string): MailMessage => ({ to, subject: 's', text: 't', html: 'h', template: 'verify_email' });

describe('MailService', () => {
  let audited: AuditRecord[];
  let transport: HeldTransport;
  let mail: MailService;

  beforeEach(() => {
    audited = [];
    transport = new HeldTransport();
    const audit = { record: (record: AuditRecord) => audited.push(record) } as unknown as AuditService;
    const logger = {
      setContext: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    mail = new MailService(config, transport, audit, logger as unknown as PinoLogger, new Clock());
  });

  it('returns at once and records the mail that does not fit in the full queue, never dropping it silently', async () => {
    for (let i = 0; i < MAIL_QUEUE_LIMIT + 4 + 1; i++) mail.send(message(`u${i}@example.test`));
    // 4 in flight, MAIL_QUEUE_LIMIT waiting, one refused.
    expect(audited).toEqual([
      expect.objectContaining({
        type: 'mail_failed',
        reason: 'queue_full',
        metadata: { template: 'verify_email', attempts: 0 },
      }),
    ]);
    transport.releaseAll();
    while (transport.delivered.length < MAIL_QUEUE_LIMIT + 4) {
      await new Promise((resolve) => setImmediate(resolve));
      transport.releaseAll();
    }
    await mail.idle();
    expect(audited.filter((record) => record.type === 'mail_sent')).toHaveLength(MAIL_QUEUE_LIMIT + 4);
  });

  it('records every mail still waiting at shutdown as failed', () => {
    for (let i = 0; i < 6; i++) mail.send(message(`s${i}@example.test`));
    mail.onApplicationShutdown();
    mail.send(message('late@example.test'));
    expect(audited.map((record) => record.reason)).toEqual(['shutdown', 'shutdown', 'shutdown']);
  });
});
