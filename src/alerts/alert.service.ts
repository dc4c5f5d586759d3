import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import type { Alert, AlertPayload } from './alert';
import { WebhookSink } from './webhook.sink';

/**
 * Every alert becomes an `alert_raised` audit event and a structured warn log line, and is posted to the
 * webhook when one is configured. Raising never waits on a sink.
 */
@Injectable()
export class AlertService {
  constructor(
    private readonly audit: AuditService,
    private readonly webhook: WebhookSink,
    private readonly logger: PinoLogger,
    private readonly clock: Clock,
  ) {
    logger.setContext(AlertService.name);
  }

  raise(alert: Alert): AlertPayload {
    const payload: AlertPayload = {
      id: randomUUID(),
      rule: alert.rule,
      severity: alert.severity,
      userId: alert.userId ?? null,
      sessionId: alert.sessionId ?? null,
      ip: alert.client?.ip ?? null,
      userAgent: alert.client?.userAgent ?? null,
      details: alert.details ?? {},
      raisedAt: this.clock.now().toISOString(),
    };
    this.audit.record({
      type: 'alert_raised',
      success: false,
      userId: alert.userId,
      sessionId: alert.sessionId,
      client: alert.client,
      reason: alert.rule,
      // Details first: a rule's details can never overwrite the alert's own id, rule or severity.
      metadata: { ...payload.details, alertId: payload.id, rule: alert.rule, severity: alert.severity },
    });
    this.logger.warn({ alert: payload }, `alert raised: ${alert.rule}`);
    this.webhook.send(payload);
    return payload;
  }
}
