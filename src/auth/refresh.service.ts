import { Injectable, UnauthorizedException } from '@nestjs/common';
import { AnomalyService } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { CsrfService } from '../csrf/csrf.service';
import type { PresentingDevice } from '../sessions/device-binding';
import { RefreshRejectedError } from '../sessions/refresh-rejected.error';
import { RefreshTokenService, RotatedSession } from '../sessions/refresh-token.service';
import { RefreshRefusalService } from './refresh-refusal.service';
import { SessionGrant, SessionGrantService } from './session-grant.service';

export type RefreshRequest =
  | { transport: 'bearer'; refreshToken: string; dpop?: PresentingDevice['dpop'] }
  | { transport: 'cookie'; refreshToken?: string; fingerprintCookie?: string; csrfToken?: string };

/**
 * What a refresh token may be used for: POST /api/auth/refresh (rotation, for a new grant) and, for
 * browsers, GET /api/auth/csrf. Every refusal goes to RefreshRefusalService; the client sees a generic 401.
 */
@Injectable()
export class RefreshService {
  constructor(
    private readonly refreshTokens: RefreshTokenService,
    private readonly csrf: CsrfService,
    private readonly refusals: RefreshRefusalService,
    private readonly grants: SessionGrantService,
    private readonly audit: AuditService,
    private readonly anomalies: AnomalyService,
  ) {}

  /**
   * The refresh token must come back from the device its session began on (the fingerprint cookie for
   * browsers, the User-Agent family for everyone), checked before the CSRF token so the audit names the
   * real failure. A mismatch spends nothing: the owner's token stays valid, and the anomaly rule counts it.
   */
  async refresh(request: RefreshRequest, client: ClientInfo): Promise<SessionGrant> {
    if (!request.refreshToken) throw new UnauthorizedException('Invalid or expired refresh token');
    const presented = await this.refreshTokens.lookup(request.refreshToken);
    const device = presentingDevice(request, client);
    const previousIp = presented?.session.lastIp;
    let issued: RotatedSession;
    try {
      this.refreshTokens.checkPresented(presented, request.transport, device);
      // The refresh cookie is ambient, so the CSRF token must match the session it belongs to.
      if (request.transport === 'cookie') {
        const { session } = presented;
        this.csrf.requireToken({ userId: session.userId, sessionId: session.id }, request.csrfToken, () => ({
          client,
          metadata: { path: '/api/auth/refresh' },
        }));
      }
      issued = await this.refreshTokens.rotate(presented, request.transport, device, client);
    } catch (error) {
      if (!(error instanceof RefreshRejectedError)) throw error;
      await this.refusals.refreshRefused(error, device, client);
      throw new UnauthorizedException('Invalid or expired refresh token');
    }
    const { user } = issued;
    // Hand-written, not @Audited: the session is named by the refresh token, which only rotation resolves.
    this.audit.record({
      type: 'refresh',
      success: true,
      userId: user.id,
      sessionId: issued.session.id,
      client,
      // Addresses may change (phones move between networks); the change is recorded, never refused.
      metadata: previousIp !== undefined && previousIp !== client.ip ? { previousIp } : undefined,
    });
    this.anomalies.sessionUsed(user.id, issued.session.id, client);
    return this.grants.grant(user, issued, client, device.fingerprintCookie);
  }

  /**
   * A CSRF token for the browser session whose refresh cookie came with the request, from the device that
   * session is bound to. Only a token that could still be spent qualifies: a spent or stolen-and-replaced
   * one must not mint CSRF tokens, nor a refresh cookie without its fingerprint cookie.
   */
  async csrfTokenFor(
    request: { refreshToken?: string; fingerprintCookie?: string },
    client: ClientInfo,
  ): Promise<string> {
    const presented = request.refreshToken ? await this.refreshTokens.lookup(request.refreshToken) : null;
    const device = { userAgent: client.userAgent, fingerprintCookie: request.fingerprintCookie };
    try {
      this.refreshTokens.checkPresented(presented, 'cookie', device);
    } catch (error) {
      if (!(error instanceof RefreshRejectedError)) throw error;
      await this.refusals.csrfTokenRefused(error, device, client);
      throw new UnauthorizedException('Invalid or missing session');
    }
    if (!this.refreshTokens.isSpendable(presented.token)) throw new UnauthorizedException('Invalid or missing session');
    return this.csrf.issue(presented.session.id);
  }
}

function presentingDevice(request: RefreshRequest, client: ClientInfo): PresentingDevice {
  return {
    userAgent: client.userAgent,
    fingerprintCookie: request.transport === 'cookie' ? request.fingerprintCookie : undefined,
    dpop: request.transport === 'bearer' ? request.dpop : undefined,
  };
}
