import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';

/**
 * When the access token that authenticated the request expires (ISO 8601). A cookie client cannot read its
 * HttpOnly token, so this is how it learns when to refresh; every authenticated response carries it.
 */
export const ACCESS_TOKEN_EXPIRES_HEADER = 'Access-Token-Expires-At';

/**
 * Response hygiene for every authenticated route, with nothing to declare: the answer is per caller, so
 * no cache may keep it (no-store) and anything that caches anyway must key it on the credentials
 * (RFC 9111 §5.2.2.5, RFC 9110 §12.5.5). Set before the handler runs, so error answers carry it too.
 */
@Injectable()
export class AuthenticatedResponseInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<Request>();
      const response = context.switchToHttp().getResponse<Response>();
      if (request.user) {
        response.setHeader('Cache-Control', 'no-store');
        response.vary('Authorization');
        response.vary('Cookie');
        // Only for a principal Warden's guard made: a route's own guard (the pattern the NestJS docs teach)
        // may set request.user without expiresAt, and its answer must not fail for it.
        const expiresAt = (request.user as { expiresAt?: unknown }).expiresAt;
        if (typeof expiresAt === 'number' && Number.isFinite(expiresAt)) {
          response.setHeader(ACCESS_TOKEN_EXPIRES_HEADER, new Date(expiresAt * 1000).toISOString());
        }
      }
    }
    return next.handle();
  }
}
