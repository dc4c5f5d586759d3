// Long file: lookup, checks, rotation (race guard, grace retry) and replacement share one transaction scheme.
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull, LessThan, Repository } from 'typeorm';
import type { Transport } from '../access/token-source';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { sessionConfig } from './sessions.config';
import { User } from '../users/entities/user.entity';
import { bindingFailure, PresentingDevice } from './device-binding';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { RefreshRejectedError, RefreshTokenReusedError } from './refresh-rejected.error';
import { hashRefreshToken, newRefreshToken } from './refresh-token-secret';
import { idleExpiry, isAlive } from './session-lifetime';
import { Abort, attempt } from './session-transaction';

export interface IssuedRefreshToken {
  session: Session;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** Seconds from issuance to `refreshTokenExpiresAt`: the cookie's Max-Age. */
  refreshTokenExpiresIn: number;
}

/** A refresh that went through: the new token, and the user it was looked up with (for the access token). */
export interface RotatedSession extends IssuedRefreshToken {
  user: User;
}

/** A presented refresh token, its session and its user, looked up once per request. */
export interface PresentedRefreshToken {
  token: RefreshToken;
  session: Session;
  /** As it was when the token was looked up; a role change ends the session, so the refresh cannot outlive it. */
  user: User;
}

/**
 * A session is a family of refresh tokens. Each refresh spends the presented token and issues its child; a
 * spent token presented again means two parties hold it, so the whole family must die (OAuth 2.0 Security
 * BCP, RFC 9700 §4.14.2): rotate() detects it, RefreshRefusalService ends the session and reports it.
 */
@Injectable()
export class RefreshTokenService {
  constructor(
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    private readonly clock: Clock,
  ) {}

  /**
   * The token row, its session and the session's user, spent or not; null for a token we never issued.
   * One statement (by the unique token hash, then primary keys): a refresh's only read.
   */
  async lookup(presented: string): Promise<PresentedRefreshToken | null> {
    type Joined = RefreshToken & { session?: Session & { user?: User } };
    const token: Joined | null = await this.refreshTokens
      .createQueryBuilder('token')
      .innerJoinAndMapOne('token.session', Session, 'session', 'session.id = token.sessionId')
      .innerJoinAndMapOne('session.user', User, 'user', 'user.id = session.userId')
      .where('token.tokenHash = :tokenHash', { tokenHash: hashRefreshToken(presented) })
      .getOne();
    const session = token?.session;
    const user = session?.user;
    if (!token || !session || !user) return null;
    // Handed on separately, so no entity carries another (a session logged whole must not carry a hash).
    delete token.session;
    delete session.user;
    return { token, session, user };
  }

  /**
   * Everything a refresh token must pass before it may be spent, in the order the audit reports it: a
   * token we issued, a live session, the transport it began with, its own device, an unexpired token.
   * Spent tokens pass: rotate() tells reuse from a grace retry.
   */
  checkPresented(
    presented: PresentedRefreshToken | null,
    transport: Transport,
    device: PresentingDevice,
  ): asserts presented is PresentedRefreshToken {
    if (!presented) throw new RefreshRejectedError('unknown_token');
    const { token, session } = presented;
    const now = this.clock.now();
    if (!isAlive(session, now)) throw new RefreshRejectedError('session_ended', session);
    // A browser's refresh token comes from its HttpOnly cookie; the same token in a JSON body was lifted
    // out of the cookie jar, and skips the CSRF and fingerprint-cookie checks of the cookie transport.
    if (session.transport !== transport) throw new RefreshRejectedError('transport_mismatch', session);
    // A spent token is reuse from any device (rotate() ends the family); a spendable one from another
    // device is refused and spends nothing, so the owner keeps the session.
    const failure = this.isSpent(token) ? null : bindingFailure(session, device);
    if (failure) throw new RefreshRejectedError(failure, session);
    if (token.expiresAt <= now) throw new RefreshRejectedError('expired', session);
  }

  /** Neither spent nor superseded nor expired: a token that may still be rotated (and so may mint CSRF tokens). */
  isSpendable(token: RefreshToken): boolean {
    return !this.isSpent(token) && token.expiresAt > this.clock.now();
  }

  private isSpent(token: RefreshToken): boolean {
    return token.usedAt !== null || token.supersededAt !== null;
  }

  /**
   * Spends the presented token and issues its child, in one transaction. The conditional UPDATE
   * (`used_at IS NULL`) is the race guard: of two concurrent refreshes with one token exactly one updates
   * the row; the other is reuse (RefreshTokenReusedError) or, within REFRESH_REUSE_GRACE, the one allowed retry.
   */
  async rotate(
    presented: PresentedRefreshToken | null,
    transport: Transport,
    device: PresentingDevice,
    client: ClientInfo,
  ): Promise<RotatedSession> {
    this.checkPresented(presented, transport, device);
    const { token, session, user } = presented;
    const now = this.clock.now();

    const rotated = await attempt(this.dataSource, async (manager) => {
      const spent = await manager.update(
        RefreshToken,
        { id: token.id, usedAt: IsNull(), supersededAt: IsNull() },
        { usedAt: now, usedIp: client.ip, usedUserAgent: client.userAgent },
      );
      if (spent.affected !== 1) throw new Abort('lost_race');
      return this.continueSession(manager, session, token.id, client, now);
    });
    // Only the device the session is bound to may take the grace retry; from another one it is reuse.
    const graceAllowed = bindingFailure(session, device) === null;
    const outcome =
      rotated instanceof Abort
        ? graceAllowed
          ? await this.retryWithinGrace(token, session, client, now)
          : rotated
        : rotated;
    if (!(outcome instanceof Abort)) return { ...outcome, user };
    if (outcome.outcome === 'session_ended') throw new RefreshRejectedError('session_ended', session);
    throw new RefreshTokenReusedError(session, token.id, now);
  }

  /** The token as stored now: when, where and by whom it was first spent, for the reuse report. */
  firstUse(tokenId: string): Promise<RefreshToken | null> {
    return this.refreshTokens.findOneBy({ id: tokenId });
  }

  /**
   * ASVS 5.0 7.2.4: after a credential change the session keeps its id but not its tokens. Every unspent
   * refresh token of the session is superseded (presenting one later is reuse and ends the session) and a
   * new one is issued.
   */
  async replaceTokens(session: Session | null, client: ClientInfo): Promise<IssuedRefreshToken> {
    const now = this.clock.now();
    if (!session || !isAlive(session, now)) throw new RefreshRejectedError('session_ended', session ?? undefined);
    const replaced = await attempt(this.dataSource, async (manager) => {
      await manager.update(
        RefreshToken,
        { sessionId: session.id, usedAt: IsNull(), supersededAt: IsNull() },
        { supersededAt: now },
      );
      return this.continueSession(manager, session, null, client, now);
    });
    if (replaced instanceof Abort) throw new RefreshRejectedError('session_ended', session);
    return replaced;
  }

  /** A new refresh token of `session` inside the caller's transaction: a session's first, or a rotation's child. */
  async issue(
    manager: EntityManager,
    session: Session,
    parentId: string | null,
    now: Date,
  ): Promise<IssuedRefreshToken> {
    const refreshToken = newRefreshToken();
    await manager.insert(RefreshToken, {
      id: randomUUID(),
      sessionId: session.id,
      parentId,
      tokenHash: hashRefreshToken(refreshToken),
      issuedAt: now,
      expiresAt: session.idleExpiresAt,
      usedAt: null,
      usedIp: null,
      usedUserAgent: null,
      supersededAt: null,
      graceUsedAt: null,
    });
    return {
      session,
      refreshToken,
      refreshTokenExpiresAt: session.idleExpiresAt,
      refreshTokenExpiresIn: Math.floor((session.idleExpiresAt.getTime() - now.getTime()) / 1000),
    };
  }

  /** Every token of these sessions (being purged): explicit, as SQLite enforces ON DELETE CASCADE per connection. */
  async deleteOfSessions(sessionIds: string[]): Promise<void> {
    await this.refreshTokens.delete({ sessionId: In(sessionIds) });
  }

  /** A live session keeps its spent tokens for reuse detection only while they could still be presented. */
  async deleteExpired(now: Date): Promise<void> {
    await this.refreshTokens.delete({ expiresAt: LessThan(now) });
  }

  /**
   * REFRESH_REUSE_GRACE: a client whose refresh response was lost may present the same token once more,
   * within the window and while its child is still unspent. The child is superseded (a later use of it is
   * reuse) and a sibling is issued. Once per token, so a thief and the owner cannot keep taking turns.
   */
  private async retryWithinGrace(
    token: RefreshToken,
    session: Session,
    client: ClientInfo,
    now: Date,
  ): Promise<IssuedRefreshToken | Abort> {
    const graceMs = this.config.reuseGraceSeconds * 1000;
    if (graceMs === 0) return new Abort('lost_race');
    return attempt(this.dataSource, async (manager) => {
      const current = await manager.findOneBy(RefreshToken, { id: token.id });
      if (!current?.usedAt || current.graceUsedAt || current.supersededAt) throw new Abort('lost_race');
      if (now.getTime() - current.usedAt.getTime() > graceMs) throw new Abort('lost_race');
      // Each step is conditional; if another retry or a spend of the child got there first, roll it all back.
      const claimed = await manager.update(RefreshToken, { id: token.id, graceUsedAt: IsNull() }, { graceUsedAt: now });
      if (claimed.affected !== 1) throw new Abort('lost_race');
      const superseded = await manager.update(
        RefreshToken,
        { parentId: token.id, usedAt: IsNull(), supersededAt: IsNull() },
        { supersededAt: now },
      );
      if (superseded.affected !== 1) throw new Abort('lost_race');
      return this.continueSession(manager, session, token.id, client, now);
    });
  }

  private async continueSession(
    manager: EntityManager,
    session: Session,
    parentId: string | null,
    client: ClientInfo,
    now: Date,
  ): Promise<IssuedRefreshToken> {
    const idleExpiresAt = idleExpiry(now, session.expiresAt, this.config.refreshTokenTtlSeconds);
    const used = { lastUsedAt: now, lastIp: client.ip, lastUserAgent: client.userAgent, idleExpiresAt };
    // Conditional, inside the refresh's transaction: a revocation that lands mid-refresh rolls the refresh back.
    const updated = await manager.update(Session, { id: session.id, revokedAt: IsNull() }, used);
    if (updated.affected !== 1) throw new Abort('session_ended');
    return this.issue(manager, Object.assign(session, used), parentId, now);
  }
}
