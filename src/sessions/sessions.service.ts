import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { jwtConfig } from '../keys/jwt.config';
import { sessionConfig } from './sessions.config';
import type { Transport } from '../access/token-source';
import { REVOCATION_LEEWAY_MS, RevocationStore } from '../tokens/revocation.store';
import { RefreshToken } from './entities/refresh-token.entity';
import { User } from '../users/entities/user.entity';
import { Session } from './entities/session.entity';
import { bindingFailure, BindingFailure, deviceBinding, PresentingDevice } from './device-binding';
import { hashRefreshToken, newRefreshToken } from './refresh-token-secret';

export type RefreshFailure =
  'unknown_token' | 'expired' | 'session_ended' | 'transport_mismatch' | BindingFailure | 'reuse';

export class RefreshRejectedError extends Error {
  constructor(
    public readonly reason: RefreshFailure,
    public readonly session?: Session,
  ) {
    super(reason);
    this.name = 'RefreshRejectedError';
  }
}

export interface IssuedRefreshToken {
  session: Session;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** Seconds from issuance to `refreshTokenExpiresAt`: the cookie's Max-Age. */
  refreshTokenExpiresIn: number;
}

/**
 * Thrown inside a transaction to roll all of it back: a spend whose race was lost, a grace claim another
 * retry won, or a session revoked while this refresh was under way.
 */
class Abort extends Error {
  constructor(readonly outcome: 'lost_race' | 'session_ended') {
    super(outcome);
  }
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
 * Sessions are refresh-token families. Each refresh spends the presented token and issues its child; a
 * spent token presented again means two parties hold it, so the whole family dies (OAuth 2.0 Security BCP,
 * RFC 9700 §4.14.2).
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
    private readonly revocations: RevocationStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * A new session id on every login: nothing from before the login (session fixation) carries over.
   * `sessionEpoch` is the user's epoch as read before the password check. The conditional UPDATE below
   * both checks it and, on PostgreSQL, holds the user row until commit, so a password change, logout-all
   * or demotion racing this login either sees the new session (and ends it) or makes this login fail.
   * A browser session is bound to `fingerprintCookie` (and every session to its User-Agent family) for life.
   */
  async start(
    userId: string,
    sessionEpoch: number,
    transport: Transport,
    client: ClientInfo,
    fingerprintCookie?: string,
    dpopJkt?: string,
    amr: string[] = ['pwd'],
  ): Promise<IssuedRefreshToken> {
    const now = this.clock.now();
    const expiresAt = this.after(now, this.config.maxAgeSeconds);
    const session = this.sessions.create({
      id: randomUUID(),
      userId,
      transport,
      createdAt: now,
      createdIp: client.ip,
      createdUserAgent: client.userAgent,
      lastUsedAt: now,
      lastIp: client.ip,
      lastUserAgent: client.userAgent,
      ...deviceBinding(transport, client, fingerprintCookie, dpopJkt),
      dbscKey: null,
      dbscAlg: null,
      idleExpiresAt: this.idleExpiry(now, expiresAt),
      expiresAt,
      amr,
      authenticatedAt: now,
      revokedAt: null,
      revokedReason: null,
    });
    const started = await this.attempt(async (manager) => {
      const held = await manager.update(User, { id: userId, sessionEpoch }, { sessionEpoch });
      if (held.affected !== 1) throw new Abort('session_ended');
      await manager.insert(Session, session);
      return this.issueRefreshToken(manager, session, null, now);
    });
    if (started instanceof Abort) throw new RefreshRejectedError('session_ended');
    await this.enforceSessionLimit(userId, session.id, client);
    return started;
  }

  /**
   * MAX_SESSIONS_PER_USER: a login beyond it ends the user's sessions unused the longest, so one account
   * cannot pile up sessions (and the rows, revocations and alerts they bring). Concurrent logins may
   * overshoot by their number until the next login trims again.
   */
  private async enforceSessionLimit(userId: string, newSessionId: string, client: ClientInfo): Promise<void> {
    const limit = this.config.maxSessionsPerUser;
    const others = (await this.listActive(userId)).filter((session) => session.id !== newSessionId);
    const excess = others.slice(limit - 1);
    if (excess.length === 0) return;
    await this.revokeSessions(
      excess.map((session) => session.id),
      'session_limit',
    );
    for (const ended of excess) {
      this.audit.record({
        type: 'session_revoked',
        success: true,
        userId,
        sessionId: ended.id,
        client,
        reason: 'session_limit',
        metadata: { limit, by: newSessionId },
      });
    }
  }

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
    if (!this.isAlive(session, now)) throw new RefreshRejectedError('session_ended', session);
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
   * the row; the other is reuse (or, within REFRESH_REUSE_GRACE, the one allowed retry).
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

    const rotated = await this.attempt(async (manager) => {
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
    return this.rejectReuse(token, session, client, now);
  }

  /** The caller's live sessions, newest activity first. */
  listActive(userId: string): Promise<Session[]> {
    const now = this.clock.now();
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(now), idleExpiresAt: MoreThan(now) },
      order: { lastUsedAt: 'DESC' },
    });
  }

  /** Looks up a live session of this user; another user's session is indistinguishable from none. */
  async getOwnActive(userId: string, sessionId: string): Promise<Session> {
    const session = await this.sessions.findOneBy({ id: sessionId, userId });
    if (!session || !this.isAlive(session, this.clock.now())) throw new NotFoundException('Session not found');
    return session;
  }

  /** A user ends one of their own sessions (from the sessions screen). */
  async revokeOwn(userId: string, sessionId: string, bySessionId: string, client: ClientInfo): Promise<void> {
    const session = await this.getOwnActive(userId, sessionId);
    await this.revokeSession(session, 'revoked_by_user');
    // Hand-written, not @Audited: session_revoked names the ended session and its cause, whoever ended it.
    this.audit.record({
      type: 'session_revoked',
      success: true,
      userId,
      sessionId,
      client,
      reason: 'revoked_by_user',
      metadata: { by: bySessionId },
    });
  }

  /**
   * A step-up: the user proved who they are again, now, with `methods`; later access tokens of the session
   * carry the new `auth_time` and the union of the methods. Only a live session qualifies.
   */
  async reauthenticated(sessionId: string, methods: string[]): Promise<Session | null> {
    const session = await this.sessions.findOneBy({ id: sessionId });
    const now = this.clock.now();
    if (!session || !this.isAlive(session, now)) return null;
    const amr = [...new Set([...(session.amr ?? ['pwd']), ...methods])];
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { authenticatedAt: now, amr });
    return { ...session, authenticatedAt: now, amr };
  }

  /**
   * Binds a live browser session to the DBSC public key its browser registered. Once only: a session
   * already bound keeps its key (false), so a second registration cannot swap in an attacker's key.
   */
  async registerDeviceKey(sessionId: string, publicJwk: string, alg: string): Promise<boolean> {
    const result = await this.sessions.update(
      { id: sessionId, transport: 'cookie', dbscKey: IsNull(), revokedAt: IsNull() },
      { dbscKey: publicJwk, dbscAlg: alg },
    );
    return result.affected === 1;
  }

  findById(sessionId: string): Promise<Session | null> {
    return this.sessions.findOneBy({ id: sessionId });
  }

  /** Ends the session: its refresh tokens stop working and so do its access tokens, at once. */
  async revokeSession(session: Session, reason: string): Promise<void> {
    await this.revokeSessions([session.id], reason);
  }

  /** Ends every session of the user except `keep`, and rejects every access token issued before now. */
  async revokeAllForUser(userId: string, reason: string, keep?: string): Promise<number> {
    const now = this.clock.now();
    // First: logins already past their password check can no longer start a session (see start()).
    await this.users.increment({ id: userId }, 'sessionEpoch', 1);
    const live = await this.sessions.find({ select: { id: true }, where: { userId, revokedAt: IsNull() } });
    const ended = live.map((session) => session.id).filter((id) => id !== keep);
    await this.revokeSessions(ended, reason);
    if (!keep) {
      await this.revocations.revokeUserTokens(userId, Math.floor(now.getTime() / 1000), this.accessTokenHorizon(now));
    }
    return ended.length;
  }

  /**
   * ASVS 5.0 7.4.5: the global cut-off. Every user's epoch moves first (a login already past its password
   * check cannot start a session), then every live session ends with its access tokens.
   */
  async revokeEveryone(reason: string): Promise<number> {
    await this.users
      .createQueryBuilder()
      .update()
      .set({ sessionEpoch: () => 'session_epoch + 1' })
      .execute();
    const live = await this.sessions.find({
      select: { id: true },
      where: { revokedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) },
    });
    await this.revokeSessions(
      live.map((session) => session.id),
      reason,
    );
    return live.length;
  }

  /**
   * ASVS 5.0 7.2.4: after a credential change the session keeps its id but not its tokens. Every unspent
   * refresh token of the session is superseded (presenting one later is reuse and ends the session) and a
   * new one is issued; the caller denylists the access token that asked.
   */
  async replaceTokens(sessionId: string, client: ClientInfo): Promise<IssuedRefreshToken> {
    const session = await this.findById(sessionId);
    const now = this.clock.now();
    if (!session || !this.isAlive(session, now)) throw new RefreshRejectedError('session_ended', session ?? undefined);
    const replaced = await this.attempt(async (manager) => {
      await manager.update(
        RefreshToken,
        { sessionId, usedAt: IsNull(), supersededAt: IsNull() },
        { supersededAt: now },
      );
      return this.continueSession(manager, session, null, client, now);
    });
    if (replaced instanceof Abort) throw new RefreshRejectedError('session_ended', session);
    return replaced;
  }

  /** Removes what can never be used again: ended sessions with their tokens, and expired tokens. */
  async purgeExpired(): Promise<number> {
    const now = this.clock.now();
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const dead = await this.sessions.find({
      select: { id: true },
      where: [{ expiresAt: LessThan(now) }, { idleExpiresAt: LessThan(now) }, { revokedAt: LessThan(dayAgo) }],
    });
    const ids = dead.map((session) => session.id);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      // Explicit rather than relying on ON DELETE CASCADE, which SQLite enforces only per connection setting.
      await this.refreshTokens.delete({ sessionId: In(chunk) });
      await this.sessions.delete(chunk);
    }
    // A live session keeps its spent tokens for reuse detection only while they could still be presented.
    await this.refreshTokens.delete({ expiresAt: LessThan(now) });
    return ids.length;
  }

  isAlive(session: Session, now: Date): boolean {
    return session.revokedAt === null && session.expiresAt > now && session.idleExpiresAt > now;
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
    return this.attempt(async (manager) => {
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

  private async attempt<T>(work: (manager: EntityManager) => Promise<T>): Promise<T | Abort> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (error instanceof Abort) return error;
      throw error;
    }
  }

  private async rejectReuse(token: RefreshToken, session: Session, client: ClientInfo, now: Date): Promise<never> {
    await this.revokeSession(session, 'refresh_token_reuse');
    const spent = await this.refreshTokens.findOneBy({ id: token.id });
    this.audit.record({
      type: 'refresh_token_reuse',
      success: false,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason: spent?.supersededAt ? 'superseded_refresh_token_presented' : 'spent_refresh_token_presented',
      metadata: {
        firstUse: { at: spent?.usedAt?.toISOString(), ip: spent?.usedIp, userAgent: spent?.usedUserAgent },
        reuse: { at: now.toISOString(), ip: client.ip, userAgent: client.userAgent },
      },
    });
    throw new RefreshRejectedError('reuse', session);
  }

  /**
   * Revocations are written to the RevocationStore first, so the access tokens die even if the session
   * update then fails (the caller sees the error and can retry; a refresh meanwhile still works).
   */
  private async revokeSessions(ids: string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    const now = this.clock.now();
    const horizon = this.accessTokenHorizon(now);
    for (const id of ids) await this.revocations.revokeSession(id, horizon);
    for (let i = 0; i < ids.length; i += 500) {
      await this.sessions.update(
        { id: In(ids.slice(i, i + 500)), revokedAt: IsNull() },
        { revokedAt: now, revokedReason: reason },
      );
    }
  }

  private async continueSession(
    manager: EntityManager,
    session: Session,
    parentId: string | null,
    client: ClientInfo,
    now: Date,
  ): Promise<IssuedRefreshToken> {
    const idleExpiresAt = this.idleExpiry(now, session.expiresAt);
    const used = { lastUsedAt: now, lastIp: client.ip, lastUserAgent: client.userAgent, idleExpiresAt };
    // Conditional, inside the refresh's transaction: a revocation that lands mid-refresh rolls the refresh back.
    const updated = await manager.update(Session, { id: session.id, revokedAt: IsNull() }, used);
    if (updated.affected !== 1) throw new Abort('session_ended');
    return this.issueRefreshToken(manager, Object.assign(session, used), parentId, now);
  }

  private async issueRefreshToken(
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

  private idleExpiry(now: Date, absolute: Date): Date {
    const idle = this.after(now, this.config.refreshTokenTtlSeconds);
    return idle < absolute ? idle : absolute;
  }

  /** When the last access token issued until `now` has certainly expired. */
  private accessTokenHorizon(now: Date): Date {
    return new Date(now.getTime() + this.jwt.accessTokenTtlSeconds * 1000 + REVOCATION_LEEWAY_MS);
  }

  private after(now: Date, seconds: number): Date {
    return new Date(now.getTime() + seconds * 1000);
  }
}
