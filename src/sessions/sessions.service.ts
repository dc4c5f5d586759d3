import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, LessThan, MoreThan, Repository } from 'typeorm';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { jwtConfig } from '../keys/jwt.config';
import { sessionConfig } from './sessions.config';
import { REVOCATION_LEEWAY_MS, RevocationStore } from '../tokens/revocation.store';
import { UsersService } from '../users/users.service';
import { Session } from './entities/session.entity';
import { IssuedRefreshToken, RefreshTokenService } from './refresh-token.service';
import { isAlive } from './session-lifetime';

/** The caller of a logout or credential change: its session, and the access token that asked. */
type Caller = Pick<AuthenticatedUser, 'userId' | 'sessionId' | 'jti' | 'expiresAt'>;

/**
 * Sessions once started (SessionStartService): listed, re-authenticated, ended (one, all of a user's,
 * everyone's, beyond the per-user limit) and purged. Their refresh tokens are RefreshTokenService's.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
    private readonly refreshTokens: RefreshTokenService,
    private readonly users: UsersService,
    private readonly revocations: RevocationStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * MAX_SESSIONS_PER_USER: a login beyond it ends the user's sessions unused the longest, so one account
   * cannot pile up sessions (and the rows, revocations and alerts they bring). Concurrent logins may
   * overshoot by their number until the next login trims again.
   */
  async enforceLimit(userId: string, newSessionId: string, client: ClientInfo): Promise<void> {
    const limit = this.config.maxSessionsPerUser;
    const others = (await this.listActive(userId)).filter((session) => session.id !== newSessionId);
    const excess = others.slice(limit - 1);
    if (excess.length === 0) return;
    const ids = excess.map((session) => session.id);
    await this.revokeSessions(ids, 'session_limit');
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

  /** Ends the session if it is still live, with a `session_revoked` event that says why. */
  async endLive(session: Session | null | undefined, reason: string, client: ClientInfo): Promise<void> {
    if (!session || !this.isAlive(session, this.clock.now())) return;
    await this.revokeSession(session, reason);
    this.audit.record({
      type: 'session_revoked',
      success: true,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason,
    });
  }

  /**
   * Ends the caller's session, and the one behind `refreshToken` when it is another of the caller's, and
   * denylists the access token that asked.
   */
  async logout(caller: Caller, refreshToken?: string): Promise<void> {
    const session = await this.findById(caller.sessionId);
    if (session) await this.revokeSession(session, 'logout');
    if (refreshToken) {
      const other = (await this.refreshTokens.lookup(refreshToken))?.session;
      if (other && other.userId === caller.userId && other.id !== caller.sessionId) {
        await this.revokeSession(other, 'logout');
      }
    }
    await this.denylist(caller);
  }

  /** Ends every session of the user except `keep`, and rejects every access token issued before now. */
  async revokeAllForUser(userId: string, reason: string, keep?: string): Promise<number> {
    const now = this.clock.now();
    // First: logins already past their password check can no longer start a session (see SessionStartService.start).
    await this.users.bumpSessionEpoch(userId);
    const live = await this.sessions.find({ select: { id: true }, where: { userId, revokedAt: IsNull() } });
    const ended = live.map((session) => session.id).filter((id) => id !== keep);
    await this.revokeSessions(ended, reason);
    if (!keep) {
      await this.revocations.revokeUserTokens(userId, Math.floor(now.getTime() / 1000), this.accessTokenHorizon(now));
    }
    return ended.length;
  }

  /**
   * ASVS 5.0 7.2.4: after a credential change every other session ends; the caller's goes on with new refresh
   * tokens and its access token is denylisted. RefreshRejectedError: the caller's session was ended meanwhile.
   */
  async continueAfterCredentialChange(
    caller: Caller,
    reason: string,
    client: ClientInfo,
  ): Promise<{ ended: number; issued: IssuedRefreshToken }> {
    const ended = await this.revokeAllForUser(caller.userId, reason, caller.sessionId);
    const issued = await this.refreshTokens.replaceTokens(await this.findById(caller.sessionId), client);
    await this.denylist(caller);
    return { ended, issued };
  }

  /**
   * ASVS 5.0 7.4.5: the global cut-off. Every user's epoch moves first (a login already past its password
   * check cannot start a session), then every live session ends with its access tokens.
   */
  async revokeEveryone(reason: string): Promise<number> {
    await this.users.bumpEverySessionEpoch();
    const live = await this.sessions.find({
      select: { id: true },
      where: { revokedAt: IsNull(), expiresAt: MoreThan(this.clock.now()) },
    });
    const ids = live.map((session) => session.id);
    await this.revokeSessions(ids, reason);
    return ids.length;
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
      await this.refreshTokens.deleteOfSessions(chunk);
      await this.sessions.delete(chunk);
    }
    await this.refreshTokens.deleteExpired(now);
    return ids.length;
  }

  isAlive(session: Session, now: Date): boolean {
    return isAlive(session, now);
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

  /** The access token that asked dies now, not when it expires. */
  private async denylist(caller: Caller): Promise<void> {
    await this.revocations.revokeToken(caller.jti, new Date(caller.expiresAt * 1000 + REVOCATION_LEEWAY_MS));
  }

  /** When the last access token issued until `now` has certainly expired. */
  private accessTokenHorizon(now: Date): Date {
    return new Date(now.getTime() + this.jwt.accessTokenTtlSeconds * 1000 + REVOCATION_LEEWAY_MS);
  }
}
