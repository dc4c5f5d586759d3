import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { Clock } from '../common/clock/clock';
import { dpopConfig } from './dpop.config';
import { secretsConfig } from '../config/secret-settings';

/** A nonce is good for the period it was issued in and the next one: between 5 and 10 minutes. */
const NONCE_PERIOD_SECONDS = 300;

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9): a proof must then carry a recent value only the server can
 * mint, so a proof made in advance on a stolen device (or with a skewed clock) is useless later. Stateless:
 * `<period>.<HMAC(period)>`, so every instance that shares the secret accepts every other's nonces.
 */
@Injectable()
export class DpopNonceService {
  private readonly key: Buffer;

  constructor(
    private readonly clock: Clock,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    @Inject(dpopConfig.KEY) private readonly config: ConfigType<typeof dpopConfig>,
  ) {
    // Its own key, derived from a secret Warden already has: a nonce is never a valid CSRF token.
    this.key = Buffer.from(hkdfSync('sha256', secrets.CSRF_SECRET, Buffer.alloc(0), 'warden dpop nonce', 32));
  }

  get required(): boolean {
    return this.config.nonce;
  }

  /** The nonce clients should use now. */
  current(): string {
    return this.nonceFor(this.period());
  }

  isValid(nonce: string): boolean {
    const period = this.period();
    return [period, period - 1].some((candidate) => sameString(nonce, this.nonceFor(candidate)));
  }

  private period(): number {
    return Math.floor(this.clock.nowSeconds() / NONCE_PERIOD_SECONDS);
  }

  private nonceFor(period: number): string {
    return `${period}.${createHmac('sha256', this.key).update(String(period)).digest('base64url')}`;
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
