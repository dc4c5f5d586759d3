import { QueryFailedError } from 'typeorm';

/** A write refused by a unique index (SQLite "UNIQUE constraint failed", PostgreSQL 23505 "duplicate key"). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && /unique|duplicate/i.test(error.message);
}
