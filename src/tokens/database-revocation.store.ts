import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import type { RejectionReason } from './token-rejection';
import { Clock } from '../common/clock/clock';
import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import type { RevocationSettings } from './revocation.config';
import { Revocation, RevocationKind } from './entities/revocation.entity';
import { RevocableToken, RevocationStore } from './revocation.store';

/** How long after its expiry a row is deleted. */
const PURGE_DELAY_MS = 24 * 60 * 60 * 1000;

/** A revocation as it travels between instances (a row without its bookkeeping). */
export type RevocationEntry = Pick<Revocation, 'kind' | 'subject' | 'issuedBefore' | 'expiresAt'>;

/**
 * The default store: the database is the record (revocations survive restarts), and an in-memory copy
 * answers the per-request check with map lookups only. Other instances' revocations arrive by polling
 * every REVOCATION_SYNC_INTERVAL. Each poll reads every live row: no cursor on a writer's timestamp, so an
 * instance (or a CLI host) whose clock is off can never hide a row. If no poll has succeeded for
 * REVOCATION_MAX_STALENESS, a protected request first tries one itself and gets a 503 when that fails too:
 * never an answer from a list that may be missing revocations.
 */
export class DatabaseRevocationStore extends RevocationStore implements OnModuleInit, OnModuleDestroy {
  protected readonly logger = new Logger(RevocationStore.name);
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly users = new Map<string, { issuedBefore: number; until: number }>();
  /** When the last full read succeeded, on this instance's clock; -Infinity until the first one. */
  private syncedAt = Number.NEGATIVE_INFINITY;
  private syncing?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly revocations: Repository<Revocation>,
    protected readonly clock: Clock,
    private readonly settings: RevocationSettings,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    await this.sync();
    this.timer = setInterval(
      () => void this.sync().catch((e: Error) => this.logger.error(`Revocation sync failed: ${e.message}`)),
      this.settings.syncIntervalSeconds * 1000,
    );
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async revokeToken(jti: string, expiresAt: Date): Promise<void> {
    await this.persist({ kind: 'token', subject: jti, issuedBefore: null, expiresAt });
  }

  async revokeSession(sessionId: string, until: Date): Promise<void> {
    await this.persist({ kind: 'session', subject: sessionId, issuedBefore: null, expiresAt: until });
  }

  async revokeUserTokens(userId: string, issuedBefore: number, until: Date): Promise<void> {
    await this.persist({ kind: 'user', subject: userId, issuedBefore, expiresAt: until });
  }

  async check(token: RevocableToken): Promise<RejectionReason | undefined> {
    if (this.clock.now().getTime() - this.syncedAt > this.settings.maxStalenessSeconds * 1000) {
      try {
        await this.sync();
      } catch (error) {
        this.logger.error(`Revocation list is stale and cannot be read: ${(error as Error).message}`);
        throw new SharedStateUnavailableException('The revocation list');
      }
    }
    return this.lookup(token);
  }

  protected lookup(token: RevocableToken): RejectionReason | undefined {
    if (this.tokens.has(token.jti)) return 'revoked';
    if (this.sessions.has(token.sid)) return 'session_revoked';
    const user = this.users.get(token.sub);
    if (user && token.iat < user.issuedBefore) return 'user_tokens_revoked';
    return undefined;
  }

  /** Memory first (this instance stops accepting the tokens even if the write fails), then the record. */
  protected async persist(entry: RevocationEntry): Promise<RevocationEntry> {
    const merged = this.apply(entry);
    const row: Revocation = { ...merged, createdAt: this.clock.now() };
    // An upsert, not save(): concurrent revocations of one session (a refresh race) must not collide.
    await this.revocations.upsert(row, ['kind', 'subject']);
    return merged;
  }

  /**
   * Merges a revocation into memory and returns what memory now holds for it. Entries only ever grow,
   * whatever order they arrive in: a later logout-all never lowers an earlier cut-off.
   */
  protected apply(entry: RevocationEntry): RevocationEntry {
    const until = entry.expiresAt.getTime();
    if (entry.kind === 'user') {
      const known = this.users.get(entry.subject);
      const merged = {
        issuedBefore: Math.max(entry.issuedBefore ?? 0, known?.issuedBefore ?? 0),
        until: Math.max(until, known?.until ?? 0),
      };
      this.users.set(entry.subject, merged);
      return { ...entry, issuedBefore: merged.issuedBefore, expiresAt: new Date(merged.until) };
    }
    const map = entry.kind === 'token' ? this.tokens : this.sessions;
    const merged = Math.max(until, map.get(entry.subject) ?? 0);
    map.set(entry.subject, merged);
    return { ...entry, issuedBefore: null, expiresAt: new Date(merged) };
  }

  /** One full read at a time; callers arriving meanwhile share it. */
  protected sync(): Promise<void> {
    this.syncing ??= this.readAll().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  /** Loads every live revocation, drops what has expired, purges rows long expired. */
  private async readAll(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.revocations.find({
      select: { kind: true, subject: true, issuedBefore: true, expiresAt: true },
      where: { expiresAt: MoreThan(now) },
    });
    for (const row of rows) this.apply(row);
    this.syncedAt = Math.max(this.syncedAt, now.getTime());
    const nowMs = now.getTime();
    for (const map of [this.tokens, this.sessions]) {
      for (const [key, until] of map) if (until <= nowMs) map.delete(key);
    }
    for (const [key, entry] of this.users) if (entry.until <= nowMs) this.users.delete(key);
    // Rows are purged a day late: an instance whose clock runs ahead must not delete rows that an instance
    // with a correct clock (or one starting up) still needs.
    await this.revocations.delete({ expiresAt: LessThanOrEqual(new Date(nowMs - PURGE_DELAY_MS)) });
  }
}

/** Narrows a kind read from outside (a Redis message) to one the store knows. */
export function isRevocationKind(kind: unknown): kind is RevocationKind {
  return kind === 'token' || kind === 'session' || kind === 'user';
}
