import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PinoLogger } from 'nestjs-pino';
import { Clock } from '../common/clock/clock';
import { backoffDelayMs, WorkQueue } from '../common/work-queue';
import { alertsConfig } from './alerts.config';
import type { AlertPayload } from './alert';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './webhook-signature';

/** At most this many alerts wait for delivery; past it the oldest are dropped (and counted in the log). */
export const WEBHOOK_QUEUE_LIMIT = 1000;
/** Deliveries in flight at once: a hanging receiver ties up this many, never more. */
export const WEBHOOK_CONCURRENCY = 4;

/**
 * Posts alerts to ALERT_WEBHOOK_URL. Fire-and-forget: the caller never waits. Alerts wait in a bounded queue
 * drained by a few workers; each attempt is bounded by ALERT_WEBHOOK_TIMEOUT and failures are retried with
 * exponential backoff, ALERT_WEBHOOK_ATTEMPTS times in all. Deliveries still pending at shutdown are
 * abandoned; every alert is already in the audit log.
 */
@Injectable()
export class WebhookSink implements OnApplicationShutdown {
  private readonly stopping = new AbortController();
  private dropped = 0;
  private readonly queue = new WorkQueue<AlertPayload>({
    limit: WEBHOOK_QUEUE_LIMIT,
    concurrency: WEBHOOK_CONCURRENCY,
    overflow: 'drop-oldest',
    process: (alert) => this.deliver(alert),
    onOverflow: (oldest) => {
      this.dropped++;
      this.logger.error(
        { alertId: oldest.id, dropped: this.dropped },
        'alert webhook queue full; oldest alert dropped',
      );
    },
    onError: (alert, error) =>
      this.logger.error({ alertId: alert.id, err: (error as Error).message }, 'alert webhook delivery crashed'),
  });

  constructor(
    @Inject(alertsConfig.KEY) private readonly config: ConfigType<typeof alertsConfig>,
    private readonly logger: PinoLogger,
    private readonly clock: Clock,
  ) {
    logger.setContext(WebhookSink.name);
  }

  get enabled(): boolean {
    return this.config.webhook !== undefined;
  }

  send(alert: AlertPayload): void {
    if (!this.enabled || this.stopping.signal.aborted) return;
    this.queue.push(alert);
  }

  /** Resolves once nothing is queued or being delivered (tests; a graceful drain). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
    this.queue.takeWaiting();
  }

  private async deliver(alert: AlertPayload): Promise<void> {
    const webhook = this.config.webhook;
    if (!webhook) return;
    const body = JSON.stringify(alert);
    for (let attempt = 1; attempt <= webhook.attempts; attempt++) {
      if (this.stopping.signal.aborted) return;
      const outcome = await this.attempt(webhook, alert.id, body);
      if (outcome === 'delivered') return;
      this.logger.warn({ alertId: alert.id, attempt, outcome }, 'alert webhook attempt failed');
      if (outcome === 'rejected' || attempt === webhook.attempts) break;
      try {
        await this.clock.sleep(backoffDelayMs(webhook.backoffMs, attempt), this.stopping.signal);
      } catch {
        return;
      }
    }
    this.logger.error({ alertId: alert.id }, 'alert webhook delivery given up');
  }

  /** delivered: 2xx. rejected: a 4xx other than 408/429, which a retry would not change. Else why it failed. */
  private async attempt(
    webhook: NonNullable<ConfigType<typeof alertsConfig>['webhook']>,
    id: string,
    body: string,
  ): Promise<string> {
    const timestamp = this.clock.nowSeconds();
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhookBody(webhook.secret, timestamp, id, body),
          [DELIVERY_HEADER]: id,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(webhook.timeoutSeconds * 1000), this.stopping.signal]),
      });
      await response.body?.cancel();
      if (response.ok) return 'delivered';
      const retriable = response.status >= 500 || response.status === 408 || response.status === 429;
      return retriable ? `status ${response.status}` : 'rejected';
    } catch (error) {
      return (error as Error).name === 'TimeoutError' ? 'timeout' : 'network error';
    }
  }
}
