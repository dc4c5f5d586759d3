import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock/clock';
import { mailConfig } from './mail.config';
import { DevOutbox } from './dev-outbox';
import { MailTransport } from './mail-message';
import { MailService } from './mail.service';
import { OutboxController } from './outbox.controller';
import { SmtpTransport } from './smtp.transport';

/** SMTP when SMTP_URL is set (required in production), otherwise the in-memory development outbox. */
@Module({
  controllers: [OutboxController],
  providers: [
    {
      provide: MailTransport,
      inject: [mailConfig.KEY, Clock],
      useFactory: (config: ConfigType<typeof mailConfig>, clock: Clock): MailTransport =>
        config.smtpUrl ? new SmtpTransport(config.smtpUrl, config.timeoutSeconds) : new DevOutbox(() => clock.now()),
    },
    MailService,
  ],
  exports: [MailService, MailTransport],
})
export class MailModule {}
