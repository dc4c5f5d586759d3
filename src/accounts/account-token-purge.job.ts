import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AccountTokensService } from './account-tokens.service';

@Injectable()
export class AccountTokenPurgeJob {
  private readonly logger = new Logger(AccountTokenPurgeJob.name);

  constructor(private readonly tokens: AccountTokensService) {}

  /** Hourly: mailed-link tokens that expired, were used or were superseded over a day ago leave the database. */
  @Interval('account-token-purge', 60 * 60 * 1000)
  async run(): Promise<number> {
    const purged = await this.tokens.purgeDead();
    if (purged > 0) this.logger.log(`Purged ${purged} dead account tokens`);
    return purged;
  }
}
