import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import { clientInfo } from '../common/client-info';
import { CSRF_HEADER, CsrfService } from './csrf.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs after the JWT guard. Unsafe requests from a foreign Origin are refused outright; unsafe requests
 * authenticated by cookie also need the session's CSRF token. Bearer requests carry no ambient
 * credential, so a forged cross-site request cannot authenticate as anyone and needs no token.
 * Public routes that authenticate by cookie themselves (refresh) call the same CsrfService.requireToken.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly csrf: CsrfService,
    private readonly audit: AuditService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(request.method)) return true;
    if (!this.csrf.originAllowed(request)) return this.refuseOrigin(request);
    const user = request.user;
    if (user?.transport !== 'cookie') return true;
    this.csrf.requireToken(user, request.get(CSRF_HEADER), () => ({
      client: clientInfo(request),
      metadata: refusedRequest(request),
    }));
    return true;
  }

  /** A foreign Origin, before any token is looked at. */
  private refuseOrigin(request: Request): never {
    const details = { client: clientInfo(request), reason: 'origin_not_allowed', metadata: refusedRequest(request) };
    if (request.user) {
      this.audit.record({
        type: 'csrf_rejected',
        success: false,
        userId: request.user.userId,
        sessionId: request.user.sessionId,
        ...details,
      });
    } else {
      // A public route (login, register) from a foreign Origin: counted per source, not a row per request.
      this.audit.recordRejection({ type: 'csrf_rejected', ...details });
    }
    throw new ForbiddenException('CSRF check failed');
  }
}

function refusedRequest(request: Request): Record<string, unknown> {
  return { method: request.method, path: request.path, origin: request.get('origin') };
}
