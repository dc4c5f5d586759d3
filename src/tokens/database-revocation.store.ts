import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, MoreThan, MoreThanOrEqual, Repository } from 'typeorm';
import type { RejectionReason } from '../auth/token-rejection';
import { Clock } from '../common/clock/clock';
import { Revocation, RevocationKind } from './entities/revocation.entity';
import { RevocableToken, RevocationStore } from './revocation.store';

/**
 * How often an instance picks up revocations written by the others. Revocations made on this instance
 * apply at once; those made elsewhere apply within this bound (with several instances, prefer the Redis store).
 */
export const REVOCATION_POLL_MS = 2_000;
/** Re-read a little history each poll so clock skew between instances cannot hide a row. */
const SYNC_OVERLAP_MS = 10_000;

/**
 * The default store: the database is the record (revocations survive restarts), and an in-memory copy
 * answers the per-request check with map lookups only.
 */
@Injectable()
export class DatabaseRevocationStore extends RevocationStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DatabaseRevocationStore.name);
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, { issuedBefore: number; until: number }>();
  private lastSync = new Date(0);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(Revocation) private readonly revocations: Repository<Revocation>,
    private readonly clock: Clock,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.sync();
    this.timer = setInterval(
      () => void this.sync().catch((e: Error) => this.logger.error(e.message)),
      REVOCATION_POLL_MS,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async revokeToken(jti: string, expiresAt: Date): Promise<void> {
    await this.persist('token', jti, null, expiresAt);
  }

  async revokeSession(sessionId: string, until: Date): Promise<void> {
    await this.persist('session', sessionId, null, until);
  }

  async revokeUserTokens(userId: string, issuedBefore: number, until: Date): Promise<void> {
    await this.persist('user', userId, issuedBefore, until);
  }

  check(token: RevocableToken): Promise<RejectionReason | undefined> {
    return Promise.resolve(this.checkSync(token));
  }

  private checkSync(token: RevocableToken): RejectionReason | undefined {
    if (this.tokens.has(token.jti)) return 'revoked';
    if (this.sessions.has(token.sid)) return 'session_revoked';
    const user = this.users.get(token.sub);
    if (user && token.iat < user.issuedBefore) return 'user_tokens_revoked';
    return undefined;
  }

  private async persist(kind: RevocationKind, subject: string, issuedBefore: number | null, expiresAt: Date) {
    const existing = kind === 'user' ? this.users.get(subject) : undefined;
    const row: Revocation = {
      kind,
      subject,
      // A later logout-all never lowers an earlier cut-off.
      issuedBefore: issuedBefore === null ? null : Math.max(issuedBefore, existing?.issuedBefore ?? 0),
      expiresAt: new Date(Math.max(expiresAt.getTime(), existing?.until ?? 0)),
      createdAt: this.clock.now(),
    };
    // Memory first: this instance stops accepting the tokens even if the write below fails.
    this.apply(row);
    // An upsert, not save(): concurrent revocations of one session (a refresh race) must not collide.
    await this.revocations.upsert(row, ['kind', 'subject']);
  }

  /** Merges a revocation into memory; entries only ever grow, whatever order rows arrive in. */
  private apply(row: Revocation): void {
    const until = row.expiresAt.getTime();
    if (row.kind === 'user') {
      const known = this.users.get(row.subject);
      this.users.set(row.subject, {
        issuedBefore: Math.max(row.issuedBefore ?? 0, known?.issuedBefore ?? 0),
        until: Math.max(until, known?.until ?? 0),
      });
      return;
    }
    const map = row.kind === 'token' ? this.tokens : this.sessions;
    map.set(row.subject, Math.max(until, map.get(row.subject) ?? 0));
  }

  /** Loads what other instances revoked since the last sync, drops what has expired, purges old rows. */
  private async sync(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.revocations.find({
      where: {
        createdAt: MoreThanOrEqual(new Date(this.lastSync.getTime() - SYNC_OVERLAP_MS)),
        expiresAt: MoreThan(now),
      },
    });
    for (const row of rows) this.apply(row);
    // Only after a successful read: a failed poll must be retried from the same point, not skipped.
    this.lastSync = now;
    const nowMs = now.getTime();
    for (const map of [this.tokens, this.sessions]) {
      for (const [key, until] of map) if (until <= nowMs) map.delete(key);
    }
    for (const [key, entry] of this.users) if (entry.until <= nowMs) this.users.delete(key);
    await this.revocations.delete({ expiresAt: LessThanOrEqual(now) });
  }
}
