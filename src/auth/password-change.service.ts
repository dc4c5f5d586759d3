import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { RefreshRejectedError } from '../sessions/refresh-rejected.error';
import { SessionsService } from '../sessions/sessions.service';
import { PasswordScreeningService } from '../users/password-screening/password-screening.service';
import { UsersService } from '../users/users.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordService } from './password.service';
import { SessionGrant, SessionGrantService } from './session-grant.service';

/**
 * A signed-in user changes their password. The current one is required, and wrong ones count against the
 * account like failed logins (same lockout, 429): a stolen session must not become a password oracle.
 * Afterwards every other session ends and this one goes on with new tokens (ASVS 5.0 7.2.4).
 */
@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly loginThrottle: LoginThrottleService,
    private readonly screening: PasswordScreeningService,
    private readonly sessions: SessionsService,
    private readonly grants: SessionGrantService,
    private readonly audit: AuditService,
  ) {}

  /** Once wrong current passwords reach the account+IP limit, the session that guessed ends. */
  async change(
    principal: AuthenticatedUser,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
    fingerprintCookie?: string,
  ): Promise<SessionGrant> {
    const user = await this.users.getById(principal.userId);
    const attempt = await this.loginThrottle.begin('password_change', user.email, client, user.id);
    const valid = await this.loginThrottle.verify(attempt, () =>
      this.passwords.verify(user.passwordHash, currentPassword),
    );
    if (!valid) {
      this.audit.record({
        type: 'password_change_failed',
        success: false,
        userId: user.id,
        sessionId: principal.sessionId,
        client,
        reason: 'bad_current_password',
      });
      const { lockedOut } = await this.loginThrottle.failed(attempt);
      if (lockedOut)
        await this.sessions.endLive(await this.sessions.findById(principal.sessionId), 'password_guessing', client);
      throw new BadRequestException('currentPassword is incorrect');
    }
    await this.loginThrottle.succeeded(attempt);
    if (currentPassword === newPassword) throw new BadRequestException('newPassword must differ from currentPassword');
    await this.screening.assertAcceptable('newPassword', newPassword, user.email);
    await this.users.setPasswordHash(user.id, await this.passwords.hash(newPassword));
    const { ended, issued } = await this.sessions
      .continueAfterCredentialChange(principal, 'password_changed', client)
      .catch((error: unknown) => {
        // Ended by someone else meanwhile: the new password stands, the caller signs in again with it.
        if (error instanceof RefreshRejectedError) throw new UnauthorizedException('Session ended; sign in again');
        throw error;
      });
    // Hand-written, not @Audited: the failure's cause and the sessions ended are known only here.
    this.audit.record({
      type: 'password_changed',
      success: true,
      userId: user.id,
      sessionId: principal.sessionId,
      client,
      metadata: { sessionsEnded: ended, tokensReplaced: true },
    });
    return this.grants.grant(user, issued, client, fingerprintCookie);
  }
}
