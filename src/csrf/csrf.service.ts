import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appConfig } from '../config/app-settings';
import { secretsConfig } from '../config/secret-settings';

export const CSRF_HEADER = 'x-csrf-token';

/**
 * Session-bound HMAC tokens (OWASP CSRF Cheat Sheet, "signed double-submit" with session binding):
 * `nonce.HMAC(CSRF_SECRET, [sessionId, nonce])`. The page keeps the token in memory and echoes it in a
 * header that a cross-site form or image cannot set; a token from another session never verifies.
 */
@Injectable()
export class CsrfService {
  private readonly secret: Buffer;

  constructor(
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {
    this.secret = secrets.CSRF_SECRET;
  }

  issue(sessionId: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.sign(sessionId, nonce)}`;
  }

  verify(sessionId: string, token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 200) return false;
    const [nonce, signature, extra] = token.split('.');
    if (!nonce || !signature || extra !== undefined) return false;
    const expected = Buffer.from(this.sign(sessionId, nonce));
    const actual = Buffer.from(signature);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /**
   * A browser names the page that sent an unsafe request in `Origin`. Absent (non-browser clients, some
   * same-origin requests), the token alone decides; present, it must be this site or CORS_ORIGINS.
   */
  originAllowed(request: Request): boolean {
    const origin = request.get('origin');
    if (origin === undefined) return true;
    const own = `${request.protocol}://${request.get('host') ?? ''}`;
    return origin === own || this.app.corsOrigins.includes(origin);
  }

  private sign(sessionId: string, nonce: string): string {
    return createHmac('sha256', this.secret)
      .update(JSON.stringify([sessionId, nonce]))
      .digest('base64url');
  }
}
