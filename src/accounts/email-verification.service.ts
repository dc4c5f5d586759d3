import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { AccountTokensService } from './account-tokens.service';

/** Following the link of a verification mail. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly tokens: AccountTokensService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async verifyEmail(token: unknown, client: ClientInfo): Promise<{ email: string }> {
    // The epoch binds the token to the address it was sent to too: an email change moves the epoch on.
    const verified = await this.tokens.consume(token, 'verify_email', client, async (manager, found) => {
      await this.tokens.requireEpoch(manager, found, { emailVerifiedAt: this.clock.now() }, false);
      return found;
    });
    this.audit.record({ type: 'email_verified', success: true, userId: verified.userId, client });
    return { email: verified.email };
  }
}
