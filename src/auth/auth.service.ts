import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { AuthenticatedUser } from '../access/authenticated-user';
import type { Transport } from '../access/token-source';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { LoginSessionService } from './login-session.service';
import { LoginThrottleService } from './login-throttle.service';
import { PasswordService } from './password.service';
import { SecondFactorChallenge, SecondFactorLoginService } from './second-factor-login.service';
import type { SessionGrant } from './session-grant.service';

export type LoginOutcome = { session: SessionGrant } | { secondFactor: SecondFactorChallenge };

/**
 * Password login and logout. A login ends in LoginSessionService (or, with a second factor, in
 * SecondFactorLoginService and then there); refreshes are RefreshService's, password changes
 * PasswordChangeService's.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly loginThrottle: LoginThrottleService,
    private readonly loginSessions: LoginSessionService,
    private readonly secondFactorLogins: SecondFactorLoginService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Same answer and similar timing for an unknown email and a wrong password; the audit log tells them apart.
   * The attempt is counted before the password is checked, so a lockout answers 429 whatever the password
   * and concurrent guesses cannot overrun the limit.
   */
  async login(
    email: string,
    password: string,
    transport: Transport,
    client: ClientInfo,
    replacedRefreshToken?: string,
    dpopJkt?: string,
  ): Promise<LoginOutcome> {
    this.passwords.assertCapacity();
    const user = await this.users.findByEmail(email);
    const attempt = await this.loginThrottle.begin('login', email, client, user?.id);
    const valid = await this.loginThrottle.verify(attempt, () =>
      user ? this.passwords.verify(user.passwordHash, password) : this.passwords.verifyAgainstDummy(password),
    );
    if (!user || !valid) {
      this.audit.record({
        type: 'login_failed',
        success: false,
        userId: user?.id,
        reason: user ? 'bad_password' : 'unknown_email',
        client,
      });
      await this.loginThrottle.failed(attempt);
      throw new UnauthorizedException('Email or password is incorrect');
    }
    await this.loginThrottle.succeeded(attempt);
    const fingerprintCookie = this.loginSessions.admit(user, transport, client);
    const secondFactor = await this.secondFactorLogins.challengeIfEnrolled(user, transport, client, fingerprintCookie);
    if (secondFactor) return { secondFactor };
    const start = { transport, client, fingerprintCookie, replacedRefreshToken, dpopJkt };
    return { session: await this.loginSessions.start(user, user.sessionEpoch, ['pwd'], start) };
  }

  /** Ends the caller's session (and the one behind the refresh token it names) and denylists its access token. */
  async logout(principal: AuthenticatedUser, refreshToken?: string): Promise<void> {
    await this.sessions.logout(principal, refreshToken);
  }

  async logoutAll(principal: AuthenticatedUser, client: ClientInfo): Promise<void> {
    const ended = await this.sessions.revokeAllForUser(principal.userId, 'logout_all');
    // Hand-written, not @Audited: how many sessions ended is known only here.
    this.audit.record({
      type: 'logout_all',
      success: true,
      userId: principal.userId,
      sessionId: principal.sessionId,
      client,
      metadata: { sessionsEnded: ended },
    });
  }
}
