import type { AuditEvent } from '../entities/audit-event.entity';

export class AuditEventResponseDto {
  id!: string;
  type!: string;
  userId!: string | null;
  sessionId!: string | null;
  ip!: string | null;
  userAgent!: string | null;
  success!: boolean;
  reason!: string | null;
  /** Events this row stands for: unauthenticated rejections of one source and reason share a row per window. */
  count!: number;
  /** The first of them. */
  createdAt!: string;
  /** Alerts only: what the rule saw. */
  metadata?: object | null;

  static from(event: AuditEvent, withMetadata = false): AuditEventResponseDto {
    return {
      id: event.id,
      type: event.type,
      userId: event.userId,
      sessionId: event.sessionId,
      ip: event.ip,
      userAgent: event.userAgent,
      success: event.success,
      reason: event.reason,
      count: event.count,
      createdAt: event.createdAt.toISOString(),
      ...(withMetadata ? { metadata: event.metadata } : {}),
    };
  }
}

export interface AuditPage {
  items: AuditEventResponseDto[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
