import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { clientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { RECENT_AUTH_KEY, RecentAuthRequirement } from '../access/requires-recent-auth.decorator';
import { mfaConfig } from '../mfa/mfa.config';

/** RFC 9470 §3: the error code a client answers by authenticating again (here: POST /api/auth/step-up). */
export const STEP_UP_ERROR = 'insufficient_user_authentication';

/** The distinct 401 of a stale authentication: `code` and `maxAge` tell the client to re-authenticate. */
export class StepUpRequiredException extends UnauthorizedException {
  constructor(readonly maxAgeSeconds: number) {
    super({
      statusCode: HttpStatus.UNAUTHORIZED,
      message: 'This action needs a recent authentication: confirm it is you (POST /api/auth/step-up)',
      code: STEP_UP_ERROR,
      maxAge: maxAgeSeconds,
    });
  }
}

/** Runs after authentication: compares the token's `auth_time` with the route's @RequiresRecentAuth() window. */
@Injectable()
export class RecentAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    @Inject(mfaConfig.KEY) private readonly config: ConfigType<typeof mfaConfig>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const requirement = this.reflector.getAllAndOverride<RecentAuthRequirement | undefined>(RECENT_AUTH_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requirement) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const maxAge = requirement.maxAgeSeconds ?? this.config.stepUpMaxAgeSeconds;
    const authTime = request.user?.authTime;
    // A token without auth_time (none of Warden's lack it) counts as stale: fail closed.
    if (authTime !== undefined && this.clock.nowSeconds() - authTime <= maxAge) return true;
    this.audit.record({
      type: 'step_up_required',
      success: false,
      userId: request.user?.userId,
      sessionId: request.user?.sessionId,
      client: clientInfo(request),
      metadata: { path: request.path },
    });
    context
      .switchToHttp()
      .getResponse<Response>()
      .setHeader('WWW-Authenticate', `Bearer error="${STEP_UP_ERROR}", max_age=${maxAge}`);
    throw new StepUpRequiredException(maxAge);
  }
}
