import { BadRequestException, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Transport } from '../access/token-source';
import { AnomalyService } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { DbscService } from '../dbsc/dbsc.service';
import type { IssuedRefreshToken } from '../sessions/refresh-token.service';
import { CredentialsChangedError, SessionStartService } from '../sessions/session-start.service';
import type { User } from '../users/entities/user.entity';
import { loginConfig } from './login.config';
import { SessionGrant, SessionGrantService } from './session-grant.service';

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

/** UNVERIFIED_LOGIN=refuse: the answer to the right password of an account whose address is not confirmed. */
export const UNVERIFIED_LOGIN_MESSAGE =
  'Confirm your email address first: follow the link we mailed you (registering again sends a new one)';

/**
 * The end of every successful login (password, password + second factor, passkey), so no login path can
 * skip a check: the account may sign in, the browser's previous session ends, the new one is bound to this
 * device, remembers how the user authenticated (RFC 8176 `amr`) and is reported to the anomaly rules.
 */
@Injectable()
export class LoginSessionService {
  constructor(
    private readonly starts: SessionStartService,
    private readonly grants: SessionGrantService,
    private readonly audit: AuditService,
    private readonly anomalies: AnomalyService,
    private readonly dbsc: DbscService,
    @Inject(loginConfig.KEY) private readonly loginPolicy: ConfigType<typeof loginConfig>,
  ) {}

  /**
   * The first step's proof (password) was right: refused here, before a second factor is asked for, is a
   * disabled or unconfirmed account. A browser gets the fingerprint cookie its challenge and session are
   * bound to.
   */
  admit(user: User, transport: Transport, client: ClientInfo): string | undefined {
    this.assertMaySignIn(user, client);
    return this.grants.newFingerprintCookie(transport);
  }

  /** A new session for `user`, started under the session epoch read before the proof was checked. */
  async start(user: User, sessionEpoch: number, amr: string[], start: SessionStart): Promise<SessionGrant> {
    const { transport, client, fingerprintCookie, dpopJkt } = start;
    // Again here: a passkey sign-in had no password step, and a second step may come after an admin disabled it.
    this.assertMaySignIn(user, client);
    if (dpopJkt && transport !== 'bearer') {
      throw new BadRequestException('DPoP binds bearer tokens: log in with transport "bearer" to use it');
    }
    await this.starts.endReplacedByLogin(start.replacedRefreshToken, client);
    let issued: IssuedRefreshToken;
    try {
      issued = await this.starts.start(user.id, sessionEpoch, transport, client, fingerprintCookie, dpopJkt, amr);
    } catch (error) {
      if (!(error instanceof CredentialsChangedError)) throw error;
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
    const grant = this.grants.grant(user, issued, client, fingerprintCookie);
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
}
