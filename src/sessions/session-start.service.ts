import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import type { Transport } from '../access/token-source';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { sessionConfig } from './sessions.config';
import { UsersService } from '../users/users.service';
import { deviceBinding } from './device-binding';
import { Session } from './entities/session.entity';
import { IssuedRefreshToken, RefreshTokenService } from './refresh-token.service';
import { after, idleExpiry } from './session-lifetime';
import { Abort, attempt } from './session-transaction';
import { SessionsService } from './sessions.service';

/**
 * The user's session epoch moved on after the login read it: a password change, logout-all or demotion
 * raced this login, which must not start a session.
 */
export class CredentialsChangedError extends Error {
  constructor() {
    super('credentials_changed');
    this.name = 'CredentialsChangedError';
  }
}

/** New sessions: a login's session row and its first refresh token, under the user's epoch and session limit. */
@Injectable()
export class SessionStartService {
  constructor(
    @InjectRepository(Session) private readonly rows: Repository<Session>,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    private readonly refreshTokens: RefreshTokenService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  /**
   * ASVS 5.0 7.2.4: a login from a browser that still holds a session (its refresh cookie came along) ends
   * that session first, so its tokens cannot outlive the new login, whoever's they were.
   */
  async endReplacedByLogin(refreshToken: string | undefined, client: ClientInfo): Promise<void> {
    if (!refreshToken) return;
    await this.sessions.endLive((await this.refreshTokens.lookup(refreshToken))?.session, 'replaced_by_login', client);
  }

  /**
   * A new session id on every login: nothing from before the login (session fixation) carries over.
   * `sessionEpoch` is the user's epoch as read before the password check; the users service holds it for the
   * transaction (see UsersService.holdSessionEpoch), so a credential change racing this login either sees
   * the new session (and ends it) or makes this login fail with CredentialsChangedError.
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
    const expiresAt = after(now, this.config.maxAgeSeconds);
    const session = this.rows.create({
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
      idleExpiresAt: idleExpiry(now, expiresAt, this.config.refreshTokenTtlSeconds),
      expiresAt,
      amr,
      authenticatedAt: now,
      revokedAt: null,
      revokedReason: null,
    });
    const started = await attempt(this.dataSource, async (manager) => {
      if (!(await this.users.holdSessionEpoch(manager, userId, sessionEpoch))) throw new Abort('session_ended');
      await manager.insert(Session, session);
      return this.refreshTokens.issue(manager, session, null, now);
    });
    if (started instanceof Abort) throw new CredentialsChangedError();
    await this.sessions.enforceLimit(userId, session.id, client);
    return started;
  }
}
