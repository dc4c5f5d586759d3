import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock/clock';
import { auditConfig } from './audit.config';
import { AuditService } from './audit.service';

const DAY_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class AuditRetentionJob {
  private readonly logger = new Logger(AuditRetentionJob.name);

  constructor(
    private readonly audit: AuditService,
    @Inject(auditConfig.KEY) private readonly config: ConfigType<typeof auditConfig>,
    private readonly clock: Clock,
  ) {}

  /** Hourly: audit events older than AUDIT_RETENTION_DAYS leave the database. */
  @Interval('audit-retention', 60 * 60 * 1000)
  async run(): Promise<number> {
    await this.audit.flush();
    const cutoff = new Date(this.clock.now().getTime() - this.config.retentionDays * DAY_MS);
    const purged = await this.audit.purgeBefore(cutoff);
    if (purged > 0) this.logger.log(`Purged ${purged} audit events older than ${this.config.retentionDays} days`);
    return purged;
  }
}
