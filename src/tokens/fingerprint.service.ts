import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { secretsConfig } from '../config/secret-settings';

/**
 * What a token is bound to. Bearer clients: IP + User-Agent (the seed design). Browsers: the random
 * HttpOnly `__Host-fgp` cookie + User-Agent; OWASP advises against binding browsers to IPs, which change
 * on every network hop of a phone, so IP drift there is only recorded.
 */
export type BindingFactors =
  | { transport: 'bearer'; ip: string; userAgent: string }
  | { transport: 'cookie'; fingerprintCookie: string; userAgent: string };

@Injectable()
export class FingerprintService {
  private readonly secret: Buffer;

  constructor(@Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>) {
    this.secret = secrets.FINGERPRINT_SECRET;
  }

  /** A fresh random value for the browser's fingerprint cookie (256 bits). */
  newCookieValue(): string {
    return randomBytes(32).toString('base64url');
  }

  /**
   * The `fgp` claim: HMAC-SHA256 under FINGERPRINT_SECRET. The factors are JSON-encoded as an array with
   * the transport first, so `("a|b", "c")` and `("a", "b|c")` cannot collide and a cookie-bound token
   * never matches a bearer binding.
   */
  bind(factors: BindingFactors): string {
    const parts =
      factors.transport === 'bearer'
        ? ['bearer', factors.ip, factors.userAgent]
        : ['cookie', factors.fingerprintCookie, factors.userAgent];
    return createHmac('sha256', this.secret).update(JSON.stringify(parts)).digest('base64url');
  }

  /** Constant-time comparison of a token's claim with the binding computed from the request. */
  matches(claim: unknown, factors: BindingFactors): boolean {
    if (typeof claim !== 'string') return false;
    const expected = Buffer.from(this.bind(factors));
    const actual = Buffer.from(claim);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
