import { BadRequestException, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { LoginThrottleService } from '../auth/login-throttle.service';
import { PasswordService } from '../auth/password.service';
import type { ClientInfo } from '../common/client-info';
import { UsersService } from '../users/users.service';
import { AccountMailLimiter } from './account-mail-limiter';
import { AccountMailer } from './account-mailer';

export const EMAIL_CHANGE_REQUESTED = {
  message: 'Check the new address: follow the link we sent there to make the change.',
} as const;

/**
 * Asking to change the sign-in address: the current password, then a link to the new address (nothing
 * changes before it is followed; see EmailChangeLinksService).
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly loginThrottle: LoginThrottleService,
    private readonly mailer: AccountMailer,
    private readonly limiter: AccountMailLimiter,
    private readonly audit: AuditService,
  ) {}

  /**
   * Wrong current passwords count against the account like failed logins (same lockout, 429): a stolen
   * session must not become a password oracle. A new address that already has an account gets the
   * "someone tried to use your address" mail instead of a link, and the caller the same answer: a
   * logged-in user cannot probe which addresses have accounts.
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
    const attempt = await this.loginThrottle.begin('email_change', user.email, client, user.id);
    const valid = await this.loginThrottle.verify(attempt, () =>
      this.passwords.verify(user.passwordHash, currentPassword),
    );
    if (!valid) {
      this.audit.record({
        type: 'email_change_failed',
        success: false,
        userId,
        sessionId,
        client,
        reason: 'bad_current_password',
      });
      await this.loginThrottle.failed(attempt);
      throw new BadRequestException('currentPassword is incorrect');
    }
    await this.loginThrottle.succeeded(attempt);
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
    if (owner) this.mailer.addressInUse(owner, client);
    else this.mailer.emailChangeVerification(user, newEmail, client);
    return EMAIL_CHANGE_REQUESTED;
  }
}
