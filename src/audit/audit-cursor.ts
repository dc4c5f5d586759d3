import { BadRequestException } from '@nestjs/common';

/** Where a page ended: the last event's (createdAt, id). Opaque to clients; they just send it back. */
export interface AuditCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * Exactly what encodeCursor writes (Date#toISOString) for years 1970-9999. A looser check let a forged
 * `-271821-04-20T00:00:00.000Z` through to PostgreSQL, which refused it with a 500.
 */
const ISO_INSTANT = /^(?:19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): AuditCursor {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      Array.isArray(decoded) &&
      decoded.length === 2 &&
      typeof decoded[0] === 'string' &&
      typeof decoded[1] === 'string' &&
      ISO_INSTANT.test(decoded[0]) &&
      UUID.test(decoded[1])
    ) {
      const createdAt = new Date(decoded[0]);
      // Round-trips only for a real instant (no 2024-02-30, no 25:00).
      if (!Number.isNaN(createdAt.getTime()) && createdAt.toISOString() === decoded[0]) {
        return { createdAt, id: decoded[1] };
      }
    }
  } catch {
    // fall through
  }
  throw new BadRequestException(['cursor is not a cursor this API issued']);
}
