import type { ClientInfo } from '../common/client-info';

export type AlertSeverity = 'low' | 'medium' | 'high';

/** Every rule that raises alerts (src/anomaly); the admin alert listing filters by them. */
export const ALERT_RULES = [
  'refresh_token_reuse',
  'fingerprint_mismatch',
  'session_ip_spread',
  'new_device_login',
  'credential_stuffing',
] as const;

export interface Alert {
  /** The anomaly rule that fired: refresh_token_reuse, fingerprint_mismatch, new_device_login, ... */
  rule: string;
  severity: AlertSeverity;
  userId?: string | null;
  sessionId?: string | null;
  client?: ClientInfo;
  /** What the rule saw; no secrets (tokens, cookies, passwords) ever go here. */
  details?: Record<string, unknown>;
}

/** What a sink receives, and the webhook's JSON body. */
export interface AlertPayload {
  id: string;
  rule: string;
  severity: AlertSeverity;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  raisedAt: string;
}
