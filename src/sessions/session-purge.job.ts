import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { SessionsService } from './sessions.service';

@Injectable()
export class SessionPurgeJob {
  private readonly logger = new Logger(SessionPurgeJob.name);

  constructor(private readonly sessions: SessionsService) {}

  /** Hourly: expired and long-revoked sessions, with their refresh tokens, leave the database. */
  @Interval('session-purge', 60 * 60 * 1000)
  async run(): Promise<void> {
    const purged = await this.sessions.purgeExpired();
    if (purged > 0) this.logger.log(`Purged ${purged} ended sessions`);
  }
}
