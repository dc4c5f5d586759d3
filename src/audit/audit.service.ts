import { BadRequestException, BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { type ClientInfo, clientKey } from '../common/client-info';
import { newestFirst } from '../common/database/keyset-page';
import { MAX_IP_LENGTH, storedText } from '../common/stored-text';
import { AuditEventResponseDto, AuditPage } from './dto/audit-event-response.dto';
import { AUDIT_PAGE_DEFAULT, ListAuditEventsDto } from './dto/list-audit-events.dto';
import { AuditEvent } from './entities/audit-event.entity';

export interface AuditRecord {
  type: string;
  success: boolean;
  userId?: string | null;
  sessionId?: string | null;
  client?: ClientInfo;
  reason?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Unauthenticated rejections (junk tokens, foreign Origins) of one source for one reason within this window
 * share one row and its count: otherwise each request would buy a row of durable storage.
 */
export const REJECTION_WINDOW_MS = 5 * 60 * 1000;
/** Open aggregates kept in memory; past this, the oldest is closed (its next rejection starts a new row). */
const MAX_OPEN_REJECTIONS = 10_000;
/** Counts of open aggregates reach the database at most this often (and on every flush). */
const COUNT_WRITE_DELAY_MS = 1000;
/** Audit columns' sizes: longer values would be refused by PostgreSQL (and waste space on SQLite). */
const MAX_TYPE_LENGTH = 64;
const MAX_REASON_LENGTH = 128;

interface OpenRejection {
  event: AuditEvent;
  closesAt: number;
}

/**
 * Records auth events without holding up the request: events are queued and written in batches off the
 * request path. Shutdown drains the queue, so a clean stop loses nothing. Every string is bounded and made
 * displayable before it is stored (storedText).
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private queue: AuditEvent[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private readonly openRejections = new Map<string, OpenRejection>();
  /** Aggregates whose count changed since it was last written, by event id. */
  private readonly changedCounts = new Map<string, AuditEvent>();
  private countTimer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly clock: Clock,
  ) {}

  record(record: AuditRecord): void {
    this.enqueue(this.toEvent(record));
  }

  /**
   * A request refused before it proved any identity (a junk bearer token, a foreign Origin on a public
   * route, an unknown refresh token). The first one of a source (IPv4 address, IPv6 /64) for a type and
   * reason within REJECTION_WINDOW_MS becomes a row; the rest only raise that row's `count`.
   */
  recordRejection(record: Omit<AuditRecord, 'success' | 'userId' | 'sessionId'>): void {
    const now = this.clock.now().getTime();
    const key = JSON.stringify([record.type, record.reason ?? null, clientKey(record.client?.ip ?? '')]);
    const open = this.openRejections.get(key);
    if (open && now < open.closesAt) {
      open.event.count += 1;
      this.changedCounts.set(open.event.id, open.event);
      this.countTimer ??= setTimeout(() => {
        this.countTimer = undefined;
        void this.flush();
      }, COUNT_WRITE_DELAY_MS).unref();
      return;
    }
    this.openRejections.delete(key);
    if (this.openRejections.size >= MAX_OPEN_REJECTIONS) this.closeOldestRejections(now);
    const event = this.toEvent({ ...record, success: false });
    this.openRejections.set(key, { event, closesAt: now + REJECTION_WINDOW_MS });
    this.enqueue(event);
  }

  private toEvent(record: AuditRecord): AuditEvent {
    return this.events.create({
      id: randomUUID(),
      type: record.type.slice(0, MAX_TYPE_LENGTH),
      success: record.success,
      userId: record.userId ?? null,
      sessionId: record.sessionId ?? null,
      ip: record.client ? storedText(record.client.ip, MAX_IP_LENGTH) : null,
      // Already bounded by clientInfo; bounded again for callers that build a ClientInfo themselves.
      userAgent: record.client ? storedText(record.client.userAgent) : null,
      reason: record.reason === undefined ? null : storedText(record.reason, MAX_REASON_LENGTH),
      metadata: record.metadata ? boundStrings(record.metadata) : null,
      count: 1,
      createdAt: this.clock.now(),
    });
  }

  private enqueue(event: AuditEvent): void {
    this.queue.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Drops expired aggregates; if none had expired, the oldest one (Map order is insertion order). */
  private closeOldestRejections(now: number): void {
    for (const [key, open] of this.openRejections) {
      if (open.closesAt <= now) this.openRejections.delete(key);
    }
    if (this.openRejections.size >= MAX_OPEN_REJECTIONS) {
      this.openRejections.delete(this.openRejections.keys().next().value!);
    }
  }

  /** Writes everything queued so far; resolves once it is stored. */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    clearTimeout(this.countTimer);
    this.countTimer = undefined;
    // A row of this batch carries its count in its insert; a later raise marks it changed again.
    const inBatch = new Set(batch.map((event) => event.id));
    const counts = [...this.changedCounts.values()]
      .filter((event) => !inBatch.has(event.id))
      .map((event) => ({ id: event.id, count: event.count }));
    this.changedCounts.clear();
    this.writing = this.writing.then(async () => {
      try {
        // Raised counts before new rows: the writes follow the order the events came (rows that share a
        // timestamp have no order of their own, and PostgreSQL tends to return them in the order written).
        for (const { id, count } of counts) await this.events.update({ id }, { count });
        // updateEntity(false): PostgreSQL returns the row's defaults and TypeORM would copy them onto the
        // entities, undoing any count an aggregate gained while its insert was in flight.
        if (batch.length > 0) {
          await this.events.createQueryBuilder().insert().values(batch).updateEntity(false).execute();
        }
      } catch (error) {
        // An audit outage must not take logins down with it; the log keeps the events.
        this.logger.error(`Could not store ${batch.length} audit events: ${(error as Error).message}`);
        for (const event of batch) this.logger.warn(`audit ${JSON.stringify(event)}`);
      }
    });
    return this.writing;
  }

  /** Newest first, ordered by (createdAt, id) so pages never skip or repeat an event. */
  /** `reason` narrows by the recorded reason (an alert's rule). */
  async list(filters: ListAuditEventsDto & { reason?: string }, withMetadata = false): Promise<AuditPage> {
    await this.flush(); // an admin sees events up to this moment
    const since = filters.since ? filterDate('since', filters.since) : undefined;
    const until = filters.until ? filterDate('until', filters.until) : undefined;
    if (since && until && since >= until) throw new BadRequestException(['since must be before until']);
    const limit = filters.limit ?? AUDIT_PAGE_DEFAULT;
    const query = this.events.createQueryBuilder('event');
    if (filters.type) query.andWhere('event.type = :type', { type: filters.type });
    if (filters.reason) query.andWhere('event.reason = :reason', { reason: filters.reason });
    if (filters.userId) query.andWhere('event.user_id = :userId', { userId: filters.userId });
    if (filters.ip) query.andWhere('event.ip = :ip', { ip: filters.ip });
    if (since) query.andWhere('event.created_at >= :since', { since });
    if (until) query.andWhere('event.created_at < :until', { until });
    const page = await newestFirst(query, { limit, cursor: filters.cursor });
    return { ...page, items: page.items.map((event) => AuditEventResponseDto.from(event, withMetadata)) };
  }

  /** Deletes events recorded before `cutoff` (AUDIT_RETENTION_DAYS); returns how many. */
  async purgeBefore(cutoff: Date): Promise<number> {
    const result = await this.events.createQueryBuilder().delete().where('created_at < :cutoff', { cutoff }).execute();
    return result.affected ?? 0;
  }

  // Before, not on, shutdown: TypeORM closes its connection in its own onApplicationShutdown.
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}

/**
 * The DTO admits only the extended ISO form; this also refuses days that do not exist, which Date would
 * silently roll over (2026-02-31 becomes March 3rd).
 */
function filterDate(name: string, value: string): Date {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw new BadRequestException([`${name} is not a valid date`]);
  }
  return date;
}

/** Metadata with every string bounded (storedText), at any depth; Warden's own metadata nests a level or two. */
function boundStrings(value: Record<string, unknown>): Record<string, unknown> {
  const bound = (item: unknown): unknown =>
    typeof item === 'string'
      ? storedText(item)
      : Array.isArray(item)
        ? item.map(bound)
        : item !== null && typeof item === 'object' && !(item instanceof Date)
          ? boundStrings(item as Record<string, unknown>)
          : item;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bound(item)]));
}
