import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { appConfig } from '../config/app-settings';
import { secretsConfig } from '../config/secret-settings';

export const CSRF_HEADER = 'x-csrf-token';

/** The session a cookie-authenticated request acts for. */
export interface CsrfSession {
  userId: string;
  sessionId: string;
}

/** Who sent a refused request and what it was, for the audit event; built only when one is refused. */
export interface CsrfRefusal {
  client: ClientInfo;
  metadata: Record<string, unknown>;
}

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
    private readonly audit: AuditService,
  ) {
    this.secret = secrets.CSRF_SECRET;
  }

  issue(sessionId: string): string {
    const nonce = randomBytes(16).toString('base64url');
    return `${nonce}.${this.sign(sessionId, nonce)}`;
  }

  /**
   * The one CSRF token check of Warden: every unsafe request authenticated by cookie (CsrfGuard) and the
   * refresh, whose cookie is its only credential (RefreshService). A missing or wrong token is a
   * `csrf_rejected` event and a 403.
   */
  requireToken(session: CsrfSession, token: string | undefined, refusal: () => CsrfRefusal): void {
    if (this.verify(session.sessionId, token)) return;
    const { client, metadata } = refusal();
    this.audit.record({
      type: 'csrf_rejected',
      success: false,
      userId: session.userId,
      sessionId: session.sessionId,
      client,
      reason: token ? 'bad_token' : 'missing_token',
      metadata,
    });
    throw new ForbiddenException('CSRF check failed');
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
