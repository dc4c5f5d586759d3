import { Type } from 'class-transformer';
import { IsInt, IsIP, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsPageCursor } from '../../common/database/keyset-page';

export const AUDIT_PAGE_DEFAULT = 50;
/** A hard cap: larger values are refused with 400, not clamped, so a client never silently gets less. */
export const AUDIT_PAGE_MAX = 200;

/**
 * Extended ISO 8601 date-times only (what Date parses everywhere): ISO 8601's basic and week-date forms pass
 * IsISO8601 but become Invalid Date, which PostgreSQL answers with an error.
 */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const ISO_DATE_TIME_MESSAGE = (name: string) =>
  `${name} must be an ISO 8601 date or date-time such as 2026-01-31 or 2026-01-31T12:00:00Z`;

/** Filters shared by the audit and alert listings. `since` is inclusive, `until` exclusive. */
export class AuditFiltersDto {
  @IsOptional() @IsUUID() userId?: string;

  @IsOptional() @IsString() @MaxLength(64) @IsIP() ip?: string;

  @IsOptional() @IsString() @Matches(ISO_DATE_TIME, { message: ISO_DATE_TIME_MESSAGE('since') }) since?: string;

  @IsOptional() @IsString() @Matches(ISO_DATE_TIME, { message: ISO_DATE_TIME_MESSAGE('until') }) until?: string;

  @IsPageCursor() cursor?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(AUDIT_PAGE_MAX) limit?: number;
}

/** GET /api/admin/audit: the shared filters plus an event type. */
export class ListAuditEventsDto extends AuditFiltersDto {
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'type must be an event type such as login_failed' })
  type?: string;
}
