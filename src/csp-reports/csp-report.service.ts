import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import type { CspViolation } from './csp-report';

/** At most this many reports are stored per hour (per instance); the rest are counted, not kept. */
export const CSP_REPORTS_STORED_PER_HOUR = 100;
const HOUR_MS = 3_600_000;

/**
 * ASVS 5.0 3.4.7: CSP violations land in the audit log (type `csp_violation`), where AUDIT_RETENTION_DAYS
 * bounds their age. Anyone can post to the endpoint, so storage is bounded too: the route is rate-limited
 * per client, and at most CSP_REPORTS_STORED_PER_HOUR reports are kept per hour; the first report refused
 * in an hour is recorded as `csp_reports_dropped`, so a flood is visible without filling the table.
 */
@Injectable()
export class CspReportService {
  private windowStart = Number.NEGATIVE_INFINITY;
  private stored = 0;
  private dropped = 0;

  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  record(violations: CspViolation[], client: ClientInfo): void {
    const now = this.clock.now().getTime();
    if (now - this.windowStart >= HOUR_MS) {
      this.windowStart = now;
      this.stored = 0;
      this.dropped = 0;
    }
    for (const violation of violations) {
      if (this.stored >= CSP_REPORTS_STORED_PER_HOUR) {
        if (this.dropped++ === 0) {
          this.audit.record({
            type: 'csp_reports_dropped',
            success: false,
            client,
            reason: 'hourly_cap',
            metadata: { cap: CSP_REPORTS_STORED_PER_HOUR },
          });
        }
        continue;
      }
      this.stored++;
      this.audit.record({
        type: 'csp_violation',
        success: false,
        client,
        reason: violation.directive || 'unknown',
        metadata: { ...violation },
      });
    }
  }
}
