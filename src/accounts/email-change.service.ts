import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { isUniqueViolation } from '../database/unique-violation';
import { SessionsService } from '../sessions/sessions.service';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AccountMailLimiter } from './account-mail-limiter';
import { AccountMailer } from './account-mailer';
import { AccountTokensService } from './account-tokens.service';

export const EMAIL_CHANGE_REQUESTED = {
  message: 'Check the new address: follow the link we sent there to make the change.',
} as const;

const ADDRESS_TAKEN = 'That address now belongs to another account';

/**
 * Changing the sign-in address: the current password to ask, a link to the new address to confirm (nothing
 * changes before), and a notice to the old one with an undo link valid for EMAIL_CHANGE_UNDO_WINDOW.
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly tokens: AccountTokensService,
    private readonly sessions: SessionsService,
    private readonly mailer: AccountMailer,
    private readonly limiter: AccountMailLimiter,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Counted per new address and per client before the password is checked, so this route is no faster a
   * password oracle than the limits allow. A new address that already has an account gets the "someone
   * tried to use your address" mail instead of a link, and the caller the same answer: a logged-in user
   * cannot probe which addresses have accounts.
   */
  async request(
    userId: string,
    sessionId: string,
    currentPassword: string,
    newEmail: string,
    client: ClientInfo,
  ): Promise<typeof EMAIL_CHANGE_REQUESTED> {
    const user = await this.users.getById(userId);
    await this.limiter.admit('email_change', newEmail, client, user.id);
    if (!(await this.passwords.verify(user.passwordHash, currentPassword))) {
      this.audit.record({
        type: 'email_change_failed',
        success: false,
        userId,
        sessionId,
        client,
        reason: 'bad_current_password',
      });
      throw new BadRequestException('currentPassword is incorrect');
    }
    if (newEmail === user.email) throw new BadRequestException('newEmail is already your address');
    const owner = await this.users.findByEmail(newEmail);
    this.audit.record({
      type: 'email_change_requested',
      success: true,
      userId,
      sessionId,
      client,
      reason: owner ? 'address_taken' : undefined,
    });
    if (owner) this.mailer.registrationAttempt(owner, client);
    else this.mailer.emailChangeVerification(user, newEmail, client);
    return EMAIL_CHANGE_REQUESTED;
  }

  async confirm(token: unknown, client: ClientInfo): Promise<{ email: string }> {
    const now = this.clock.now();
    const change = await this.switchAddress(token, 'change_email', client, now);
    this.audit.record({ type: 'email_changed', success: true, userId: change.userId, client });
    this.mailer.emailChanged(await this.users.getById(change.userId), change.previous, client);
    return { email: change.email };
  }

  /**
   * Restores the old address and ends every session: whoever changed it knew the password, so the owner
   * also gets a reset link at the restored address.
   */
  async undo(token: unknown, client: ClientInfo): Promise<{ email: string }> {
    const now = this.clock.now();
    const change = await this.switchAddress(token, 'undo_email_change', client, now);
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
    now: Date,
  ): Promise<{ userId: string; email: string; previous: string }> {
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
