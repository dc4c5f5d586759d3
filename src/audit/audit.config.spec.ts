import { loadSlice } from '../config/compose';
import { auditConfig } from './audit.config';

describe('audit settings', () => {
  it('keeps events 90 days by default', () => {
    expect(loadSlice(auditConfig, { NODE_ENV: 'test' }).retentionDays).toBe(90);
  });

  it('refuses a zero retention, naming the variable', () => {
    expect(() => loadSlice(auditConfig, { NODE_ENV: 'test', AUDIT_RETENTION_DAYS: '0' })).toThrow(
      'AUDIT_RETENTION_DAYS must be a whole number',
    );
  });
});
