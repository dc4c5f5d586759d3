import { integer } from '../config/readers';
import { defineSettings } from '../config/settings';

export const auditConfig = defineSettings('audit', { AUDIT_RETENTION_DAYS: integer(90, 1, 36_500) }, (values) => ({
  retentionDays: values.AUDIT_RETENTION_DAYS,
}));
