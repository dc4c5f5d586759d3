import { BadRequestException, BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import type { ClientInfo } from '../common/client-info';
import { decodeCursor, encodeCursor } from './audit-cursor';
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
 * Records auth events without holding up the request: events are queued and written in batches off the
 * request path. Shutdown drains the queue, so a clean stop loses nothing.
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private queue: AuditEvent[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(
    @InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>,
    private readonly clock: Clock,
  ) {}

  record(record: AuditRecord): void {
    this.queue.push(
      this.events.create({
        id: randomUUID(),
        type: record.type,
        success: record.success,
        userId: record.userId ?? null,
        sessionId: record.sessionId ?? null,
        ip: record.client?.ip ?? null,
        userAgent: record.client?.userAgent ?? null,
        reason: record.reason ?? null,
        metadata: record.metadata ?? null,
        createdAt: this.clock.now(),
      }),
    );
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
  }

  /** Writes everything queued so far; resolves once it is stored. */
  flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.events.insert(batch);
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
    if (filters.cursor) {
      const cursor = decodeCursor(filters.cursor);
      query.andWhere('(event.created_at < :at OR (event.created_at = :at AND event.id < :id))', {
        at: cursor.createdAt,
        id: cursor.id,
      });
    }
    const rows = await query
      .orderBy('event.created_at', 'DESC')
      .addOrderBy('event.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((event) => AuditEventResponseDto.from(event, withMetadata)),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
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
