import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ChallengeService } from './challenge.service';

@Injectable()
export class ChallengePurgeJob {
  private readonly logger = new Logger(ChallengePurgeJob.name);

  constructor(private readonly challenges: ChallengeService) {}

  /** Hourly: challenges live five minutes, so anything older is dead weight. */
  @Interval('challenge-purge', 60 * 60 * 1000)
  async run(): Promise<void> {
    const purged = await this.challenges.purgeExpired();
    if (purged > 0) this.logger.log(`Purged ${purged} expired login challenges`);
  }
}
