import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { jwtConfig, sessionConfig } from '../config/configuration';
import type { Transport } from '../tokens/fingerprint.service';
import { RevocationStore } from '../tokens/revocation.store';
import { RefreshToken } from './entities/refresh-token.entity';
import { Session } from './entities/session.entity';
import { hashRefreshToken, newRefreshToken } from './refresh-token-secret';

/** Access tokens verify with a few seconds of clock tolerance; revocations must outlive that too. */
const REVOCATION_LEEWAY_MS = 60_000;

export type RefreshFailure = 'unknown_token' | 'expired' | 'session_ended' | 'reuse';

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
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
    private readonly revocations: RevocationStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** A new session id on every login: nothing from before the login (session fixation) carries over. */
  async start(userId: string, transport: Transport, client: ClientInfo): Promise<IssuedRefreshToken> {
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
      idleExpiresAt: this.idleExpiry(now, expiresAt),
      expiresAt,
      revokedAt: null,
      revokedReason: null,
    });
    await this.sessions.insert(session);
    return this.issueRefreshToken(this.refreshTokens, session, null, now);
  }

  /**
   * Spends `presented` and issues its child. The conditional UPDATE (`used_at IS NULL`) is the race guard:
   * of two concurrent refreshes with one token exactly one updates the row; the other is reuse.
   */
  async rotate(presented: string, client: ClientInfo): Promise<IssuedRefreshToken> {
    const now = this.clock.now();
    const token = await this.refreshTokens.findOneBy({ tokenHash: hashRefreshToken(presented) });
    if (!token) throw new RefreshRejectedError('unknown_token');
    const session = await this.sessions.findOneBy({ id: token.sessionId });
    if (!session || !this.isAlive(session, now)) throw new RefreshRejectedError('session_ended', session ?? undefined);
    if (token.expiresAt <= now) throw new RefreshRejectedError('expired', session);

    if (token.usedAt === null && (await this.markUsed(token, client, now))) {
      return this.continueSession(session, token, client, now);
    }
    const spent = await this.refreshTokens.findOneByOrFail({ id: token.id });
    const child = await this.withinGrace(spent, now);
    if (child && (await this.markUsed(child, client, now))) {
      return this.continueSession(session, child, client, now);
    }
    await this.revokeSession(session, 'refresh_token_reuse');
    this.audit.record({
      type: 'refresh_token_reuse',
      success: false,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason: 'spent_refresh_token_presented',
      metadata: {
        firstUse: { at: spent.usedAt?.toISOString(), ip: spent.usedIp, userAgent: spent.usedUserAgent },
        reuse: { at: now.toISOString(), ip: client.ip, userAgent: client.userAgent },
      },
    });
    throw new RefreshRejectedError('reuse', session);
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
    this.audit.record({
      type: 'session_revoked',
      success: true,
      userId,
      sessionId,
      client,
      metadata: { by: bySessionId },
    });
  }

  findById(sessionId: string): Promise<Session | null> {
    return this.sessions.findOneBy({ id: sessionId });
  }

  /** The session a refresh token belongs to, spent or not; null for a token we never issued. */
  async findByRefreshToken(presented: string): Promise<Session | null> {
    const token = await this.refreshTokens.findOneBy({ tokenHash: hashRefreshToken(presented) });
    return token ? this.sessions.findOneBy({ id: token.sessionId }) : null;
  }

  /** Ends the session: its refresh tokens stop working and so do its access tokens, at once. */
  async revokeSession(session: Session, reason: string): Promise<void> {
    const now = this.clock.now();
    await this.sessions.update({ id: session.id, revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
    await this.revocations.revokeSession(session.id, this.accessTokenHorizon(now));
  }

  /** Ends every session of the user except `keep`, and rejects every access token issued before now. */
  async revokeAllForUser(userId: string, reason: string, keep?: string): Promise<number> {
    const now = this.clock.now();
    const live = await this.sessions.find({ where: { userId, revokedAt: IsNull() } });
    const ended = live.filter((session) => session.id !== keep);
    for (const session of ended) await this.revokeSession(session, reason);
    if (!keep) {
      await this.revocations.revokeUserTokens(userId, Math.floor(now.getTime() / 1000), this.accessTokenHorizon(now));
    }
    return ended.length;
  }

  /** Removes sessions that can never be used again, with their tokens. Runs on a schedule. */
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
      await this.refreshTokens.createQueryBuilder().delete().where('session_id IN (:...chunk)', { chunk }).execute();
      await this.sessions.delete(chunk);
    }
    return ids.length;
  }

  isAlive(session: Session, now: Date): boolean {
    return session.revokedAt === null && session.expiresAt > now && session.idleExpiresAt > now;
  }

  private async markUsed(token: RefreshToken, client: ClientInfo, now: Date): Promise<boolean> {
    const result = await this.refreshTokens.update(
      { id: token.id, usedAt: IsNull() },
      { usedAt: now, usedIp: client.ip, usedUserAgent: client.userAgent },
    );
    return result.affected === 1;
  }

  /**
   * REFRESH_REUSE_GRACE: a client whose refresh response was lost may present the immediately previous
   * token again for a few seconds. Only while its child is still the newest, unspent token.
   */
  private async withinGrace(spent: RefreshToken, now: Date): Promise<RefreshToken | undefined> {
    const graceMs = this.config.reuseGraceSeconds * 1000;
    if (graceMs === 0 || !spent.usedAt || now.getTime() - spent.usedAt.getTime() > graceMs) return undefined;
    const child = await this.refreshTokens.findOneBy({ parentId: spent.id, usedAt: IsNull() });
    return child && child.expiresAt > now ? child : undefined;
  }

  private async continueSession(
    session: Session,
    parent: RefreshToken,
    client: ClientInfo,
    now: Date,
  ): Promise<IssuedRefreshToken> {
    return this.dataSource.transaction(async (manager) => {
      const idleExpiresAt = this.idleExpiry(now, session.expiresAt);
      await manager.update(
        Session,
        { id: session.id },
        { lastUsedAt: now, lastIp: client.ip, lastUserAgent: client.userAgent, idleExpiresAt },
      );
      Object.assign(session, { lastUsedAt: now, lastIp: client.ip, lastUserAgent: client.userAgent, idleExpiresAt });
      return this.issueRefreshToken(manager.getRepository(RefreshToken), session, parent.id, now);
    });
  }

  private async issueRefreshToken(
    repository: Repository<RefreshToken>,
    session: Session,
    parentId: string | null,
    now: Date,
  ): Promise<IssuedRefreshToken> {
    const refreshToken = newRefreshToken();
    await repository.insert({
      id: randomUUID(),
      sessionId: session.id,
      parentId,
      tokenHash: hashRefreshToken(refreshToken),
      issuedAt: now,
      expiresAt: session.idleExpiresAt,
      usedAt: null,
      usedIp: null,
      usedUserAgent: null,
    });
    return { session, refreshToken, refreshTokenExpiresAt: session.idleExpiresAt };
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
