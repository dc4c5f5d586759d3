import { CanActivate, ExecutionContext, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AnomalyService } from '../anomaly/anomaly.service';
import { AuditService } from '../audit/audit.service';
import { clientInfo } from '../common/client-info';
import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import { ACCEPT_EXTERNAL_ISSUERS_KEY } from '../access/accept-external-issuers.decorator';
import { IS_PUBLIC_KEY } from '../access/public.decorator';
import { DpopChallenge } from '../dpop/dpop-challenge';
import { isSuspiciousDpopFailure } from '../dpop/dpop-proof-error';
import { ExternalIssuersService } from '../issuers/external-issuers.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { JwtStrategy } from './jwt.strategy';
import { rejectionReason, TokenRejectedError } from '../tokens/token-rejection';

/**
 * Global and deny-by-default: every route needs a valid access token unless it is marked @Public().
 * Every failure is the same 401 for the client; the specific reason goes to the audit log.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly logger = new Logger(JwtAuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
    private readonly audit: AuditService,
    private readonly anomalies: AnomalyService,
    private readonly externalIssuers: ExternalIssuersService,
    private readonly dpopChallenge: DpopChallenge,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    // A token of a trusted external issuer has its own verifier; everything else is Warden's, as always.
    const externalIssuer = this.externalIssuers.issuerOf(request);
    let user: AuthenticatedUser;
    try {
      user = externalIssuer
        ? await this.authenticateExternal(context, request, externalIssuer)
        : await this.strategy.verifyRequest(request);
    } catch (cause) {
      return this.reject(cause, request, response);
    }
    request.user = user;
    if (request.headers.dpop !== undefined) this.dpopChallenge.offerNonce(response);
    if (!externalIssuer) this.anomalies.sessionUsed(user.userId, user.sessionId, clientInfo(request));
    return true;
  }

  /** Only on routes that opted in: the others act on Warden accounts and sessions an outsider does not have. */
  private authenticateExternal(
    context: ExecutionContext,
    request: Request,
    issuer: string,
  ): Promise<AuthenticatedUser> {
    const accepted = this.reflector.getAllAndOverride<boolean>(ACCEPT_EXTERNAL_ISSUERS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!accepted) throw new TokenRejectedError('external_issuer_not_accepted');
    return this.externalIssuers.verify(request, issuer);
  }

  private async reject(cause: unknown, request: Request, response: Response): Promise<never> {
    // The token could not be checked (shared state unreachable): a 503, neither accepted nor called invalid.
    if (cause instanceof SharedStateUnavailableException) throw cause;
    const reason = rejectionReason(cause);
    if (reason.startsWith('dpop_')) this.dpopChallenge.challenge(reason, response);
    // An anonymous request presented no credential: nothing to audit.
    if (reason !== 'missing_token') {
      const details = cause instanceof TokenRejectedError ? cause.details : {};
      const client = clientInfo(request);
      if (details.userId) {
        this.audit.record({
          type: 'access_token_rejected',
          success: false,
          reason,
          userId: details.userId,
          sessionId: details.sessionId,
          client,
        });
      } else {
        // Junk or forged: anyone can send these by the thousand, so they are counted, not stored one by one.
        this.audit.recordRejection({ type: 'access_token_rejected', reason, client });
      }
      // A DPoP proof a thief cannot make counts like a fingerprint he cannot match.
      if (reason === 'fingerprint_mismatch' || reason === 'fingerprint_missing' || isSuspiciousDpopFailure(reason)) {
        // Awaited (this request is refused anyway) so the session is gone before the next attempt.
        await this.anomalies
          .fingerprintMismatch(details.userId, details.sessionId, client)
          .catch((error: Error) => this.logger.error(`Fingerprint mismatch rule failed: ${error.message}`));
      }
    }
    throw new UnauthorizedException('Invalid or missing access token');
  }
}
