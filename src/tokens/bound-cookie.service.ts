import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretsConfig } from '../config/secret-settings';

/**
 * The DBSC-bound cookie (`__Host-dbsc`): `<exp>.<mac>`, an HMAC under FINGERPRINT_SECRET over the session
 * id and the expiry. Stateless on purpose: the guard checks it on every request of a DBSC session (the
 * verified-token cache skips nothing of it), and one HMAC costs a few microseconds, no database.
 * The MAC input is a JSON array starting with "dbsc", so it can never equal a fingerprint binding ("cookie"
 * or "bearer" first) made with the same secret.
 */
export const DBSC_COOKIE = '__Host-dbsc';

export type BoundCookieFailure = 'dbsc_cookie_missing' | 'dbsc_cookie_invalid' | 'dbsc_cookie_expired';

@Injectable()
export class BoundCookieService {
  private readonly secret: Buffer;

  constructor(@Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>) {
    this.secret = secrets.FINGERPRINT_SECRET;
  }

  issue(sessionId: string, expiresAtSeconds: number): string {
    return `${expiresAtSeconds}.${this.mac(sessionId, expiresAtSeconds)}`;
  }

  /** Null when the cookie is this session's and still alive. */
  failure(value: string | undefined, sessionId: string, nowSeconds: number): BoundCookieFailure | null {
    if (!value) return 'dbsc_cookie_missing';
    const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
    if (!match) return 'dbsc_cookie_invalid';
    const expiresAt = Number(match[1]);
    const expected = Buffer.from(this.mac(sessionId, expiresAt));
    const actual = Buffer.from(match[2]);
    if (!timingSafeEqual(actual, expected)) return 'dbsc_cookie_invalid';
    // The browser drops it at Max-Age, but a copied value would not: the expiry is inside the MAC.
    return nowSeconds < expiresAt ? null : 'dbsc_cookie_expired';
  }

  private mac(sessionId: string, expiresAt: number): string {
    return createHmac('sha256', this.secret)
      .update(JSON.stringify(['dbsc', sessionId, expiresAt]))
      .digest('base64url');
  }
}
