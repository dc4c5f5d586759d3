import { boolean, duration, integer } from '../config/readers';
import { defineSettings } from '../config/settings';

export const ANOMALY_SETTINGS = {
  ANOMALY_REFRESH_REUSE: boolean(true),
  ANOMALY_NEW_DEVICE: boolean(true),
  /** 0 turns the rule off. */
  ANOMALY_FINGERPRINT_MISMATCHES: integer(3, 0, 1000),
  ANOMALY_FINGERPRINT_WINDOW: duration('5m', 1, 86_400),
  /** 0 turns the rule off. */
  ANOMALY_SESSION_SPREAD_WINDOW: duration('10m', 0, 86_400),
  /** One alert per user and rule within this window; 0 raises every one. */
  ANOMALY_ALERT_DEDUP_WINDOW: duration('1h', 0, 86_400),
};

export const anomalyConfig = defineSettings('anomaly', ANOMALY_SETTINGS, (values) => ({
  refreshReuse: values.ANOMALY_REFRESH_REUSE,
  newDevice: values.ANOMALY_NEW_DEVICE,
  fingerprintMismatches: values.ANOMALY_FINGERPRINT_MISMATCHES,
  fingerprintWindowSeconds: values.ANOMALY_FINGERPRINT_WINDOW,
  sessionSpreadWindowSeconds: values.ANOMALY_SESSION_SPREAD_WINDOW,
  alertDedupWindowSeconds: values.ANOMALY_ALERT_DEDUP_WINDOW,
}));
