import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import { clientInfo } from '../common/client-info';
import { IS_PUBLIC_KEY } from '../common/decorators/public.decorator';
import type { AuthenticatedUser } from './authenticated-user';
import { rejectionReason, TokenRejectedError } from './token-rejection';

/**
 * Global and deny-by-default: every route needs a valid access token unless it is marked @Public().
 * Every failure is the same 401 for the client; the specific reason goes to the audit log.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser = AuthenticatedUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (!error && user) return user;
    const cause = error ?? info;
    const reason = rejectionReason(cause);
    // An anonymous request presented no credential: nothing to audit.
    if (reason !== 'missing_token') {
      const details = cause instanceof TokenRejectedError ? cause.details : {};
      this.audit.record({
        type: 'access_token_rejected',
        success: false,
        reason,
        userId: details.userId,
        sessionId: details.sessionId,
        client: clientInfo(context.switchToHttp().getRequest<Request>()),
      });
    }
    throw new UnauthorizedException('Invalid or missing access token');
  }
}
