import type { UserFlagSummary } from '../../anomaly/anomaly.service';
import type { AuditEventResponseDto } from '../../audit/dto/audit-event-response.dto';

/** One alert as the admin screen shows it: the audit event, plus what the screen needs to act on it. */
export interface AlertResponseDto extends AuditEventResponseDto {
  /** The rule that fired (also the event's `reason`). */
  rule: string;
  severity: string;
  /** The user the alert is about, by email, or null (credential stuffing names an address, not a user). */
  userEmail: string | null;
  /** The flag this alert put on the user, while it stands; null once cleared, and for alerts that flag no one. */
  userFlag: UserFlagSummary | null;
}

export interface AlertPageDto {
  items: AlertResponseDto[];
  nextCursor: string | null;
}
