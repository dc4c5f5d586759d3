import type { FindOptionsWhere } from 'typeorm';
import type { AuditEvent } from '../../src/audit/entities/audit-event.entity';
import type { TestApp } from './test-app';

/**
 * How many events match, counting each row's `count`: unauthenticated rejections of one source and reason
 * share a row per window, so the number of rows says less than this.
 */
export async function countEvents(t: TestApp, where: FindOptionsWhere<AuditEvent>): Promise<number> {
  return (await t.auditEvents(where)).reduce((total, event) => total + event.count, 0);
}
