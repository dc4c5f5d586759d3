import { ConflictException, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { isUniqueViolation } from '../common/database/unique-violation';
import { SessionsService } from '../sessions/sessions.service';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AccountMailer } from './account-mailer';
import { AccountTokensService } from './account-tokens.service';

const ADDRESS_TAKEN = 'That address now belongs to another account';

/**
 * The two links of an email change: the new address confirms it (the switch happens here), and the old
 * one may undo it for EMAIL_CHANGE_UNDO_WINDOW.
 */
@Injectable()
export class EmailChangeLinksService {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccountTokensService,
    private readonly sessions: SessionsService,
    private readonly mailer: AccountMailer,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async confirm(token: unknown, client: ClientInfo): Promise<{ email: string }> {
    const change = await this.switchAddress(token, 'change_email', client);
    this.audit.record({ type: 'email_changed', success: true, userId: change.userId, client });
    this.mailer.emailChanged(await this.users.getById(change.userId), change.previous, client);
    return { email: change.email };
  }

  /**
   * Restores the old address and ends every session: whoever changed it knew the password, so the owner
   * also gets a reset link at the restored address.
   */
  async undo(token: unknown, client: ClientInfo): Promise<{ email: string }> {
    const change = await this.switchAddress(token, 'undo_email_change', client);
    const ended = await this.sessions.revokeAllForUser(change.userId, 'email_change_undone');
    this.audit.record({
      type: 'email_change_undone',
      success: true,
      userId: change.userId,
      client,
      metadata: { sessionsEnded: ended },
    });
    this.mailer.passwordReset(await this.users.getById(change.userId), client);
    return { email: change.email };
  }

  private async switchAddress(
    token: unknown,
    purpose: 'change_email' | 'undo_email_change',
    client: ClientInfo,
  ): Promise<{ userId: string; email: string; previous: string }> {
    const now = this.clock.now();
    try {
      return await this.tokens.consume(token, purpose, client, async (manager, found) => {
        const user = await manager.findOneByOrFail(User, { id: found.userId });
        await this.tokens.requireEpoch(manager, found, { email: found.email, emailVerifiedAt: now }, true);
        return { userId: found.userId, email: found.email, previous: user.email };
      });
    } catch (error) {
      // The address was taken by another account since the link was sent; the token stays unspent.
      if (isUniqueViolation(error)) throw new ConflictException(ADDRESS_TAKEN);
      throw error;
    }
  }
}
