import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import type { ClientInfo } from '../common/client-info';
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

  // Before, not on, shutdown: TypeORM closes its connection in its own onApplicationShutdown.
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
