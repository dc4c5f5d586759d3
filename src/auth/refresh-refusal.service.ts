import { Injectable, Logger } from '@nestjs/common';
import { AnomalyService } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { userAgentFamily } from '../common/user-agent-family';
import { isBindingFailure, PresentingDevice } from '../sessions/device-binding';
import type { Session } from '../sessions/entities/session.entity';
import { RefreshRejectedError, RefreshTokenReusedError } from '../sessions/refresh-rejected.error';
import { RefreshTokenService } from '../sessions/refresh-token.service';
import { SessionsService } from '../sessions/sessions.service';

/**
 * A refused refresh token, whatever the reason: audited, its session ended on reuse, counted for the
 * fingerprint-mismatch rule when it came from another device, and reported to the anomaly rules. The client
 * only ever sees a generic 401. A token presented from another device counts like a replayed access token,
 * so a stolen refresh cookie tried from a few places ends its session.
 */
@Injectable()
export class RefreshRefusalService {
  private readonly logger = new Logger(RefreshRefusalService.name);

  constructor(
    private readonly sessions: SessionsService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly audit: AuditService,
    private readonly anomalies: AnomalyService,
  ) {}

  /** POST /api/auth/refresh (RefreshService.refresh, its only caller): reuse, or a `refresh_failed` event. */
  async refreshRefused(error: RefreshRejectedError, device: PresentingDevice, client: ClientInfo): Promise<void> {
    if (error instanceof RefreshTokenReusedError) {
      await this.reused(error, client);
      return;
    }
    if (!error.session) {
      // A token Warden never issued (or long purged): counted per source, not a row per request.
      this.audit.recordRejection({ type: 'refresh_failed', client, reason: error.reason });
      return;
    }
    const wrongDevice = isBindingFailure(error.reason) ? error.session : undefined;
    this.audit.record({
      type: 'refresh_failed',
      success: false,
      userId: error.session.userId,
      sessionId: error.session.id,
      client,
      reason: error.reason,
      metadata: wrongDevice ? bindingDetails(wrongDevice, device) : undefined,
    });
    if (wrongDevice) await this.countMismatch(wrongDevice, client);
  }

  /**
   * GET /api/auth/csrf: a refresh cookie from another device is a `csrf_rejected` event and counts like a
   * refresh; an unknown, spent or dead token is refused silently, as before the binding.
   */
  async csrfTokenRefused(error: RefreshRejectedError, device: PresentingDevice, client: ClientInfo): Promise<void> {
    const session = isBindingFailure(error.reason) ? error.session : undefined;
    if (!session) return;
    this.audit.record({
      type: 'csrf_rejected',
      success: false,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason: error.reason,
      metadata: { path: '/api/auth/csrf', ...bindingDetails(session, device) },
    });
    await this.countMismatch(session, client);
  }

  /**
   * A spent token presented again (RFC 9700 §4.14.2): the whole family ends first, then the audit event puts
   * the first use and this one side by side, and the anomaly rule flags the user.
   */
  private async reused(error: RefreshTokenReusedError, client: ClientInfo): Promise<void> {
    const { session } = error;
    await this.sessions.revokeSession(session, 'refresh_token_reuse');
    const spent = await this.refreshTokens.firstUse(error.tokenId);
    this.audit.record({
      type: 'refresh_token_reuse',
      success: false,
      userId: session.userId,
      sessionId: session.id,
      client,
      reason: spent?.supersededAt ? 'superseded_refresh_token_presented' : 'spent_refresh_token_presented',
      metadata: {
        firstUse: { at: spent?.usedAt?.toISOString(), ip: spent?.usedIp, userAgent: spent?.usedUserAgent },
        reuse: { at: error.at.toISOString(), ip: client.ip, userAgent: client.userAgent },
      },
    });
    await this.anomalies.refreshTokenReused(session, client);
  }

  /** Awaited (the request is refused anyway), so enough sources end the session before the next attempt. */
  private async countMismatch(session: Session, client: ClientInfo): Promise<void> {
    await this.anomalies
      .fingerprintMismatch(session.userId, session.id, client)
      .catch((error: Error) => this.logger.error(`Fingerprint mismatch rule failed: ${error.message}`));
  }
}

/** What an operator needs to tell a stolen refresh token from a browser update; never the cookie itself. */
function bindingDetails(session: Session, device: PresentingDevice): Record<string, unknown> {
  return {
    transport: session.transport,
    fingerprintCookie: device.fingerprintCookie === undefined ? 'missing' : 'present',
    userAgentFamily: userAgentFamily(device.userAgent),
    sessionUserAgentFamily: session.userAgentFamily,
  };
}
