import { applyDecorators, BadRequestException } from '@nestjs/common';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { SelectQueryBuilder } from 'typeorm';

/** One page of a listing, newest first. `nextCursor` fetches the next (older) page; null on the last one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A row a keyset listing can walk (a creation instant, and a UUID to break ties within one millisecond),
 * and where a page ended: its last row's pair. Opaque to clients; they just send it back.
 */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

const CURSOR_MESSAGE = 'cursor is not a cursor this API issued';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * Exactly what encodeCursor writes (Date#toISOString) for years 1970-9999. A looser check let a forged
 * `-271821-04-20T00:00:00.000Z` through to PostgreSQL, which refused it with a 500.
 */
const ISO_INSTANT = /^(?:19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The `cursor` query parameter of a listing: optional, and shaped like a cursor this API issued (what it
 * holds is checked by decodeCursor).
 */
export const IsPageCursor = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsString(),
    MaxLength(200),
    Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor must be the nextCursor of an earlier page' }),
  );

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/** A cursor this API issued, or a 400: a forged or tampered one never reaches the database. */
export function decodeCursor(value: string): KeysetCursor {
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
  throw new BadRequestException([CURSOR_MESSAGE]);
}

/**
 * Runs `query` (already filtered) as one page, newest first by (createdAt, id). Keyset pagination, not
 * OFFSET: a page costs the same however deep it is, and rows added while a client walks the listing never
 * make it skip or repeat one. Reads `limit + 1` rows to know whether a next page exists. The entity needs
 * an index on its filter columns followed by (createdAt, id).
 */
export async function newestFirst<T extends KeysetCursor>(
  query: SelectQueryBuilder<T>,
  page: { limit: number; cursor?: string },
): Promise<Page<T>> {
  const alias = query.alias;
  if (page.cursor) {
    const cursor = decodeCursor(page.cursor);
    query.andWhere(`(${alias}.createdAt < :cursorAt OR (${alias}.createdAt = :cursorAt AND ${alias}.id < :cursorId))`, {
      cursorAt: cursor.createdAt,
      cursorId: cursor.id,
    });
  }
  const rows = await query
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .take(page.limit + 1)
    .getMany();
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
}
