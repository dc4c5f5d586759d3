import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { Inject } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Public } from '../access/public.decorator';
import { mailConfig } from './mail.config';
import { DevOutbox, OutboxEntry } from './dev-outbox';
import { MailTransport } from './mail-message';

/**
 * Development only (MAIL_OUTBOX, refused in production): every mail Warden sent, links included, to anyone
 * who asks. Elsewhere 404, exactly like a route that does not exist.
 */
@Controller('dev/outbox')
export class OutboxController {
  constructor(
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
    private readonly transport: MailTransport,
  ) {}

  @Public()
  @Get()
  list(@Query('to') to?: string): { items: OutboxEntry[] } {
    if (!this.config.outboxRoute || !(this.transport instanceof DevOutbox)) throw new NotFoundException();
    return { items: this.transport.list(typeof to === 'string' ? to : undefined) };
  }
}
