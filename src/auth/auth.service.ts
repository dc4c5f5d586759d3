import { BadRequestException, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AnomalyService } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { CsrfService } from '../csrf/csrf.service';
import { DbscService } from '../dbsc/dbsc.service';
import type { PresentingDevice } from '../sessions/device-binding';
import type { Session } from '../sessions/entities/session.entity';
import {
  IssuedRefreshToken,
  RefreshRejectedError,
  RotatedSession,
  SessionsService,
} from '../sessions/sessions.service';
import { AccessTokenService, IssuedAccessToken } from '../tokens/access-token.service';
import type { Transport } from '../access/token-source';
import { FingerprintService } from '../tokens/fingerprint.service';
import { REVOCATION_LEEWAY_MS, RevocationStore } from '../tokens/revocation.store';
import { ChallengeService } from '../mfa/challenge.service';
import type { SecondFactorMethod } from '../mfa/second-factor.service';
import { SecondFactorService } from '../mfa/second-factor.service';
import { UserResponseDto } from '../users/dto/user-response.dto';
import type { User } from '../users/entities/user.entity';
import { PasswordScreeningService } from '../users/password-screening/password-screening.service';
import { UsersService } from '../users/users.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { loginConfig } from './login.config';
import { LoginAttempt, LoginThrottleService } from './login-throttle.service';
import { PasswordHashingBusyException, PasswordService } from './password.service';
import { RefreshRefusalService } from './refresh-refusal.service';

interface GrantBase extends IssuedRefreshToken {
  user: UserResponseDto;
  accessToken: IssuedAccessToken;
}

/** Everything a successful login or refresh hands out; the controller decides what goes where. */
export type SessionGrant =
  | (GrantBase & { transport: 'bearer' })
  /** Browsers also get the random value the access token is bound to, and the session's CSRF token. */
  | (GrantBase & { transport: 'cookie'; fingerprintCookie: string; csrfToken: string; dbscOffer?: string });

/** The device a login starts its session on, whichever way the user proved who they are. */
export interface SessionStart {
  transport: Transport;
  client: ClientInfo;
  fingerprintCookie?: string;
  /** The refresh token of a session this browser still holds: the new login ends it (ASVS 5.0 7.2.4). */
  replacedRefreshToken?: string;
  /** RFC 9449: the key of the DPoP proof sent with the request that starts the session. */
  dpopJkt?: string;
}

/** The password was right, but the account has a second factor: no session yet, only this challenge. */
export interface SecondFactorChallenge {
  transport: Transport;
  challenge: string;
  expiresAt: Date;
  methods: SecondFactorMethod[];
  /** Browsers get their fingerprint cookie now: the challenge, and then the session, are bound to it. */
  fingerprintCookie?: string;
}

export type LoginOutcome = { session: SessionGrant } | { secondFactor: SecondFactorChallenge };

/** UNVERIFIED_LOGIN=refuse: the answer to the right password of an account whose address is not confirmed. */
export const UNVERIFIED_LOGIN_MESSAGE =
  'Confirm your email address first: follow the link we mailed you (registering again sends a new one)';

export type RefreshRequest =
  | { transport: 'bearer'; refreshToken: string; dpop?: PresentingDevice['dpop'] }
  | { transport: 'cookie'; refreshToken?: string; fingerprintCookie?: string; csrfToken?: string };

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly fingerprints: FingerprintService,
    private readonly revocations: RevocationStore,
    private readonly csrf: CsrfService,
    private readonly audit: AuditService,
    private readonly loginThrottle: LoginThrottleService,
    private readonly anomalies: AnomalyService,
    private readonly refusals: RefreshRefusalService,
    private readonly secondFactors: SecondFactorService,
    private readonly challenges: ChallengeService,
    private readonly screening: PasswordScreeningService,
    private readonly dbsc: DbscService,
    private readonly clock: Clock,
    @Inject(loginConfig.KEY) private readonly loginPolicy: ConfigType<typeof loginConfig>,
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
    const valid = await this.checkPassword(attempt, () =>
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
    // Refused before a second factor is asked for: a disabled or unconfirmed account gets no challenge.
    this.assertMaySignIn(user, client);
    // A browser's session is bound to this value for life: refreshes need it back (device-binding.ts).
    const fingerprintCookie = transport === 'cookie' ? this.fingerprints.newCookieValue() : undefined;
    const methods = await this.secondFactors.methodsOf(user.id);
    if (methods.length > 0) {
      const { handle, expiresAt } = await this.challenges.issue({
        purpose: 'second_factor',
        userId: user.id,
        transport,
        binding: this.clientBinding(transport, client, fingerprintCookie),
        sessionEpoch: user.sessionEpoch,
      });
      this.audit.record({ type: 'login_second_factor_required', success: true, userId: user.id, client });
      return { secondFactor: { transport, challenge: handle, expiresAt, methods, fingerprintCookie } };
    }
    const start = { transport, client, fingerprintCookie, replacedRefreshToken, dpopJkt };
    return { session: await this.startSession(user, user.sessionEpoch, ['pwd'], start) };
  }

  /**
   * The end of every successful login (password, password + second factor, passkey): a new session, bound
   * to this device, remembering how the user authenticated (RFC 8176 `amr`). It ends the session the browser
   * replaces, binds the new one to the DPoP key that came along, and offers browsers DBSC registration.
   */
  async startSession(user: User, sessionEpoch: number, amr: string[], start: SessionStart): Promise<SessionGrant> {
    const { transport, client, fingerprintCookie, dpopJkt } = start;
    // Again here: a passkey sign-in had no password step, and a second step may come after an admin disabled it.
    this.assertMaySignIn(user, client);
    if (dpopJkt && transport !== 'bearer') {
      throw new BadRequestException('DPoP binds bearer tokens: log in with transport "bearer" to use it');
    }
    await this.endReplacedSession(start.replacedRefreshToken, client);
    let issued: IssuedRefreshToken;
    try {
      issued = await this.sessions.start(user.id, sessionEpoch, transport, client, fingerprintCookie, dpopJkt, amr);
    } catch (error) {
      if (!(error instanceof RefreshRejectedError)) throw error;
      // The password changed (or every session was ended) while this login was checking the old one.
      this.audit.record({
        type: 'login_failed',
        success: false,
        userId: user.id,
        reason: 'credentials_changed',
        client,
      });
      throw new UnauthorizedException('Email or password is incorrect');
    }
    // Hand-written, not @Audited: the session it started and the failure causes are known only here.
    this.audit.record({
      type: 'login',
      success: true,
      userId: user.id,
      sessionId: issued.session.id,
      client,
      metadata: dpopJkt ? { transport, amr, dpop: true } : { transport, amr },
    });
    await this.anomalies.loginSucceeded(user.id, issued.session.id, client);
    this.anomalies.sessionUsed(user.id, issued.session.id, client);
    const grant = this.grant(user, issued, client, fingerprintCookie);
    if (grant.transport !== 'cookie') return grant;
    // Beside the fingerprint cookie: a browser that does DBSC registers a key; any other ignores the offer.
    return { ...grant, dbscOffer: await this.dbsc.registrationOffer(issued.session.id) };
  }

  /** Said only to someone who proved who they are (password or passkey), so it tells an attacker nothing new. */
  private assertMaySignIn(user: User, client: ClientInfo): void {
    if (user.disabledAt) {
      this.audit.record({ type: 'login_failed', success: false, userId: user.id, reason: 'account_disabled', client });
      throw new UnauthorizedException('This account is disabled; contact an administrator');
    }
    if (!user.emailVerifiedAt && this.loginPolicy.unverifiedLogin === 'refuse') {
      this.audit.record({ type: 'login_failed', success: false, userId: user.id, reason: 'email_unverified', client });
      throw new ForbiddenException(UNVERIFIED_LOGIN_MESSAGE);
    }
  }

  /**
   * What a challenge is bound to: the same factors as an access token's `fgp` (the browser's fingerprint
   * cookie, or a bearer client's IP), so a challenge stolen from one client is useless on another.
   */
  clientBinding(transport: Transport, client: ClientInfo, fingerprintCookie: string | undefined): string {
    return transport === 'cookie'
      ? this.fingerprints.bind({ transport, fingerprintCookie: fingerprintCookie ?? '', userAgent: client.userAgent })
      : this.fingerprints.bind({ transport, ip: client.ip, userAgent: client.userAgent });
  }

  /**
   * The refresh token must come back from the device its session began on (the fingerprint cookie for
   * browsers, the User-Agent family for everyone), checked before the CSRF token so the audit names the
   * real failure. A mismatch spends nothing: the owner's token stays valid, and the anomaly rule counts it.
   */
  async refresh(request: RefreshRequest, client: ClientInfo): Promise<SessionGrant> {
    if (!request.refreshToken) throw new UnauthorizedException('Invalid or expired refresh token');
    const presented = await this.sessions.lookup(request.refreshToken);
    const device = this.presentingDevice(request, client);
    const previousIp = presented?.session.lastIp;
    let issued: RotatedSession;
    try {
      this.sessions.checkPresented(presented, request.transport, device);
      if (request.transport === 'cookie') this.requireCsrfToken(presented.session, request.csrfToken, client);
      issued = await this.sessions.rotate(presented, request.transport, device, client);
    } catch (error) {
      if (!(error instanceof RefreshRejectedError)) throw error;
      await this.refusals.refreshRefused(error, device, client);
      throw new UnauthorizedException('Invalid or expired refresh token');
    }
    const { user } = issued;
    // Hand-written, not @Audited: the session is named by the refresh token, which only rotation resolves.
    this.audit.record({
      type: 'refresh',
      success: true,
      userId: user.id,
      sessionId: issued.session.id,
      client,
      // Addresses may change (phones move between networks); the change is recorded, never refused.
      metadata: previousIp !== undefined && previousIp !== client.ip ? { previousIp } : undefined,
    });
    this.anomalies.sessionUsed(user.id, issued.session.id, client);
    return this.grant(user, issued, client, device.fingerprintCookie);
  }

  /** Ends the caller's session and denylists the access token that asked. */
  async logout(principal: AuthenticatedUser, refreshToken?: string): Promise<void> {
    const session = await this.sessions.findById(principal.sessionId);
    if (session) await this.sessions.revokeSession(session, 'logout');
    if (refreshToken) {
      const other = (await this.sessions.lookup(refreshToken))?.session;
      if (other && other.userId === principal.userId && other.id !== principal.sessionId) {
        await this.sessions.revokeSession(other, 'logout');
      }
    }
    await this.revocations.revokeToken(principal.jti, new Date(principal.expiresAt * 1000 + REVOCATION_LEEWAY_MS));
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

  /**
   * A CSRF token for the browser session whose refresh cookie came with the request, from the device that
   * session is bound to. Only a token that could still be spent qualifies: a spent or stolen-and-replaced
   * one must not mint CSRF tokens, nor a refresh cookie without its fingerprint cookie.
   */
  async csrfTokenFor(
    request: { refreshToken?: string; fingerprintCookie?: string },
    client: ClientInfo,
  ): Promise<string> {
    const presented = request.refreshToken ? await this.sessions.lookup(request.refreshToken) : null;
    const device = { userAgent: client.userAgent, fingerprintCookie: request.fingerprintCookie };
    try {
      this.sessions.checkPresented(presented, 'cookie', device);
    } catch (error) {
      if (!(error instanceof RefreshRejectedError)) throw error;
      await this.refusals.csrfTokenRefused(error, device, client);
      throw new UnauthorizedException('Invalid or missing session');
    }
    if (!this.sessions.isSpendable(presented.token)) throw new UnauthorizedException('Invalid or missing session');
    return this.csrf.issue(presented.session.id);
  }

  /**
   * Requires the current password; every other session ends, this one stays with new tokens. Wrong current passwords count
   * against the account like failed logins (same lockout, 429): a stolen session must not become a password
   * oracle. Once they reach the account+IP limit, the session that guessed ends.
   */
  async changePassword(
    principal: AuthenticatedUser,
    currentPassword: string,
    newPassword: string,
    client: ClientInfo,
    fingerprintCookie?: string,
  ): Promise<SessionGrant> {
    const user = await this.users.getById(principal.userId);
    const attempt = await this.loginThrottle.begin('password_change', user.email, client, user.id);
    const valid = await this.checkPassword(attempt, () => this.passwords.verify(user.passwordHash, currentPassword));
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
      const session = lockedOut ? await this.sessions.findById(principal.sessionId) : null;
      if (session && this.sessions.isAlive(session, this.clock.now())) {
        await this.sessions.revokeSession(session, 'password_guessing');
        this.audit.record({
          type: 'session_revoked',
          success: true,
          userId: user.id,
          sessionId: session.id,
          client,
          reason: 'password_guessing',
        });
      }
      throw new BadRequestException('currentPassword is incorrect');
    }
    await this.loginThrottle.succeeded(attempt);
    if (currentPassword === newPassword) throw new BadRequestException('newPassword must differ from currentPassword');
    await this.screening.assertAcceptable('newPassword', newPassword, user.email);
    await this.users.setPasswordHash(user.id, await this.passwords.hash(newPassword));
    const ended = await this.sessions.revokeAllForUser(user.id, 'password_changed', principal.sessionId);
    // ASVS 5.0 7.2.4: this session goes on, but with new tokens; the ones from before the change stop working.
    const issued = await this.sessions.replaceTokens(principal.sessionId, client).catch((error: unknown) => {
      // Ended by someone else meanwhile: the new password stands, the caller signs in again with it.
      if (error instanceof RefreshRejectedError) throw new UnauthorizedException('Session ended; sign in again');
      throw error;
    });
    await this.revocations.revokeToken(principal.jti, new Date(principal.expiresAt * 1000 + REVOCATION_LEEWAY_MS));
    // Hand-written, not @Audited: the failure's cause and the sessions ended are known only here.
    this.audit.record({
      type: 'password_changed',
      success: true,
      userId: user.id,
      sessionId: principal.sessionId,
      client,
      metadata: { sessionsEnded: ended, tokensReplaced: true },
    });
    return this.grant(user, issued, client, fingerprintCookie);
  }

  /**
   * ASVS 5.0 7.2.4: a login from a browser that still holds a session (its refresh cookie came along) ends
   * that session first, so its tokens cannot outlive the new login, whoever's they were.
   */
  private async endReplacedSession(refreshToken: string | undefined, client: ClientInfo): Promise<void> {
    const session = refreshToken ? (await this.sessions.lookup(refreshToken))?.session : undefined;
    if (!session || !this.sessions.isAlive(session, this.clock.now())) return;
    await this.sessions.revokeSession(session, 'replaced_by_login');
    this.audit.record({
      type: 'session_revoked',
      success: true,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason: 'replaced_by_login',
    });
  }

  /** A password check shed for load never ran: the attempt counted for it up front is given back. */
  private async checkPassword(attempt: LoginAttempt, check: () => Promise<boolean>): Promise<boolean> {
    try {
      return await check();
    } catch (error) {
      if (error instanceof PasswordHashingBusyException) await this.loginThrottle.abandoned(attempt);
      throw error;
    }
  }

  private presentingDevice(request: RefreshRequest, client: ClientInfo): PresentingDevice {
    return {
      userAgent: client.userAgent,
      fingerprintCookie: request.transport === 'cookie' ? request.fingerprintCookie : undefined,
      dpop: request.transport === 'bearer' ? request.dpop : undefined,
    };
  }

  /** The refresh cookie is ambient, so the CSRF token must match the session it belongs to. */
  private requireCsrfToken(session: Session, csrfToken: string | undefined, client: ClientInfo): void {
    if (this.csrf.verify(session.id, csrfToken)) return;
    this.audit.record({
      type: 'csrf_rejected',
      success: false,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason: csrfToken ? 'bad_token' : 'missing_token',
      metadata: { path: '/api/auth/refresh' },
    });
    throw new ForbiddenException('CSRF check failed');
  }

  private grant(
    user: User,
    issued: IssuedRefreshToken,
    client: ClientInfo,
    fingerprintCookie: string | undefined,
  ): SessionGrant {
    const sign = (fingerprint: string) =>
      this.accessTokens.issue({
        userId: user.id,
        sessionId: issued.session.id,
        roles: user.roles,
        fingerprint,
        transport: issued.session.transport,
        authenticatedAt: issued.session.authenticatedAt ?? issued.session.createdAt,
        amr: issued.session.amr ?? ['pwd'],
        dpopJkt: issued.session.dpopJkt,
        deviceBound: Boolean(issued.session.dbscKey),
      });
    const base = { ...issued, user: UserResponseDto.from(user) };
    if (issued.session.transport === 'bearer') {
      const fingerprint = this.fingerprints.bind({ transport: 'bearer', ip: client.ip, userAgent: client.userAgent });
      return { ...base, transport: 'bearer', accessToken: sign(fingerprint) };
    }
    // A browser keeps the fingerprint its session is bound to: never a new one on refresh (checked above).
    if (!fingerprintCookie) throw new Error('a browser session is granted only with its fingerprint cookie');
    const fingerprint = this.fingerprints.bind({ transport: 'cookie', fingerprintCookie, userAgent: client.userAgent });
    return {
      ...base,
      transport: 'cookie',
      accessToken: sign(fingerprint),
      fingerprintCookie,
      csrfToken: this.csrf.issue(issued.session.id),
    };
  }
}
