import { Type } from 'class-transformer';
import { IsInt, IsIP, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export const AUDIT_PAGE_DEFAULT = 50;
/** A hard cap: larger values are refused with 400, not clamped, so a client never silently gets less. */
export const AUDIT_PAGE_MAX = 200;

/** Filters shared by the audit and alert listings. `since` is inclusive, `until` exclusive. */
export class AuditFiltersDto {
  @IsOptional() @IsUUID() userId?: string;

  @IsOptional() @IsString() @MaxLength(64) @IsIP() ip?: string;

  @IsOptional() @IsString() @IsISO8601({ strict: true }) since?: string;

  @IsOptional() @IsString() @IsISO8601({ strict: true }) until?: string;

  @IsOptional() @IsString() @MaxLength(200) @Matches(/^[A-Za-z0-9_-]+$/) cursor?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(AUDIT_PAGE_MAX) limit?: number;
}

/** GET /api/admin/alerts: the shared filters (the type is always alert_raised). */
export class ListAlertsDto extends AuditFiltersDto {}

/** GET /api/admin/audit: the shared filters plus an event type. */
export class ListAuditEventsDto extends AuditFiltersDto {
  @IsOptional()
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'type must be an event type such as login_failed' })
  type?: string;
}
