import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PinoLogger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import { alertsConfig } from '../config/configuration';
import type { AlertPayload } from './alert';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './webhook-signature';

/**
 * Posts alerts to ALERT_WEBHOOK_URL. Fire-and-forget: the caller never waits; each attempt is bounded by
 * ALERT_WEBHOOK_TIMEOUT and failures are retried with exponential backoff, ALERT_WEBHOOK_ATTEMPTS times in
 * all. Deliveries still pending at shutdown are abandoned; the alert is already in the audit log.
 */
@Injectable()
export class WebhookSink implements OnApplicationShutdown {
  private readonly stopping = new AbortController();

  constructor(
    @Inject(alertsConfig.KEY) private readonly config: ConfigType<typeof alertsConfig>,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(WebhookSink.name);
  }

  get enabled(): boolean {
    return this.config.webhook !== undefined;
  }

  send(alert: AlertPayload): void {
    if (!this.enabled) return;
    this.deliver(alert).catch((error: Error) =>
      this.logger.error({ alertId: alert.id, err: error.message }, 'alert webhook delivery crashed'),
    );
  }

  onApplicationShutdown(): void {
    this.stopping.abort();
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
      // 1x, 2x, 4x ... the base delay, with jitter so many instances do not retry in step.
      const delay = webhook.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      try {
        await sleep(delay, undefined, { signal: this.stopping.signal });
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
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhookBody(webhook.secret, timestamp, body),
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
