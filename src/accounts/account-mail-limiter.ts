import { createHmac, hkdfSync } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AlertService } from '../alerts/alert.service';
import { AuditService } from '../audit/audit.service';
import { ClientInfo, clientKey } from '../common/client-info';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';
import { accountsConfig } from './accounts.config';
import { secretsConfig } from '../config/secret-settings';
import { AttemptStore } from '../throttle/attempt-store';

export type MailRequestKind = 'register' | 'password_reset' | 'email_change';

/**
 * Every request that makes Warden send a mail counts against the address it names and the client that
 * asks (ACCOUNT_MAIL_MAX_PER_ADDRESS / _PER_CLIENT per ACCOUNT_MAIL_WINDOW). Counted whether or not the
 * address has an account, so the 429 tells nothing about it. Reaching a limit raises one alert per window:
 * many resets for one account are someone trying to take it over or to flood its owner's inbox; many from
 * one client are someone probing or spamming many addresses.
 */
@Injectable()
export class AccountMailLimiter {
  /** Counter keys hold an HMAC of the address, never the address (the store may be a shared Redis). */
  private readonly addressKeySecret: Buffer;

  constructor(
    @Inject(accountsConfig.KEY) private readonly config: ConfigType<typeof accountsConfig>,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    private readonly store: AttemptStore,
    private readonly alerts: AlertService,
    private readonly audit: AuditService,
  ) {
    this.addressKeySecret = Buffer.from(
      hkdfSync('sha256', secrets.FINGERPRINT_SECRET, Buffer.alloc(0), 'warden/account-mail/address-key', 32),
    );
  }

  async admit(kind: MailRequestKind, email: string, client: ClientInfo, userId?: string): Promise<void> {
    const { windowSeconds, perAddress, perClient } = this.config.mailLimit;
    const windowMs = windowSeconds * 1000;
    const source = clientKey(client.ip);
    const address = createHmac('sha256', this.addressKeySecret).update(email).digest('base64url');
    const addressHits = await this.store.hit(`account-mail:${kind}:address:${address}`, windowMs);
    const clientHits = await this.store.hit(`account-mail:${kind}:client:${source}`, windowMs);
    const scope = addressHits > perAddress ? 'address' : clientHits > perClient ? 'client' : null;
    if (!scope) return;
    this.audit.record({
      type: `${kind}_throttled`,
      success: false,
      userId,
      client,
      reason: scope,
      metadata: { addressHits, clientHits },
    });
    const alertKey = `account-mail-alerted:${kind}:${scope}:${scope === 'address' ? address : source}`;
    if (await this.store.setIfAbsent(alertKey, '1', windowMs)) {
      this.alerts.raise({
        rule: `${kind}_flood`,
        severity: kind === 'password_reset' ? 'high' : 'medium',
        userId,
        client,
        details: { scope, requests: scope === 'address' ? addressHits : clientHits, windowSeconds },
      });
    }
    throw new RetryLaterException('Too many requests for mail; try again later', windowSeconds);
  }
}
