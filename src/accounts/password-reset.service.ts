import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { SessionsService } from '../sessions/sessions.service';
import { User } from '../users/entities/user.entity';
import { PasswordScreeningService } from '../users/password-screening/password-screening.service';
import { UsersService } from '../users/users.service';
import { AccountMailLimiter } from './account-mail-limiter';
import { AccountMailer } from './account-mailer';
import { AccountTokensService } from './account-tokens.service';

/** The one answer to every well-formed reset request, whether or not the address has an account. */
export const RESET_REQUESTED = {
  message: 'If an account uses this address, a link to choose a new password is on its way.',
} as const;

@Injectable()
export class PasswordResetService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly screening: PasswordScreeningService,
    private readonly tokens: AccountTokensService,
    private readonly sessions: SessionsService,
    private readonly mailer: AccountMailer,
    private readonly limiter: AccountMailLimiter,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Same answer and the same request-path work (one lookup) for any address; the mail is prepared later. */
  async request(email: string, client: ClientInfo): Promise<typeof RESET_REQUESTED> {
    const user = await this.users.findByEmail(email);
    await this.limiter.admit('password_reset', email, client, user?.id);
    this.audit.record({
      type: 'password_reset_requested',
      success: user !== null,
      userId: user?.id,
      client,
      reason: user ? undefined : 'unknown_email',
    });
    if (user) this.mailer.passwordReset(user, client);
    return RESET_REQUESTED;
  }

  /**
   * Sets the new password (same policy as registration: the DTO, then the screening against the account's
   * address, whose refusal leaves the link unspent), moves the credential epoch on
   * (every other link dies) and ends every session and access token of the user: whoever held the old
   * password is out. Following the link also proves the mailbox, so the address counts as verified.
   */
  async confirm(token: unknown, newPassword: string, client: ClientInfo): Promise<void> {
    const passwordHash = await this.passwords.hash(newPassword);
    const now = this.clock.now();
    const userId = await this.tokens.consume(token, 'reset_password', client, async (manager, found) => {
      const user = await manager.findOneByOrFail(User, { id: found.userId });
      await this.screening.assertAcceptable('newPassword', newPassword, user.email);
      await this.tokens.requireEpoch(
        manager,
        found,
        { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now },
        true,
      );
      return found.userId;
    });
    const ended = await this.sessions.revokeAllForUser(userId, 'password_reset');
    this.audit.record({ type: 'password_reset', success: true, userId, client, metadata: { sessionsEnded: ended } });
    this.mailer.passwordChanged(await this.users.getById(userId), client);
  }
}
