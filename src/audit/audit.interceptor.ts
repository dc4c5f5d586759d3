import { CallHandler, ExecutionContext, HttpException, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Observable, tap } from 'rxjs';
import { clientInfo } from '../common/client-info';
import { AuditService } from './audit.service';
import { AuditedRouteMetadata, type AuditTarget } from './audited.decorator';

/** Ids are UUIDs; a route parameter or an external subject is someone else's text, cut to what an id can be. */
const MAX_ID_LENGTH = 64;

/**
 * Records the event a route declares with @Audited, after the handler settles: who (user, session,
 * transport), which request, what it acted on, how it ended and how long it took. A failure is recorded
 * with its status and a reason taken from the status alone (never the error's message, which may echo
 * the caller's input) and rethrown unchanged. Routes without @Audited pass through untouched.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get(AuditedRouteMetadata, context.getHandler());
    if (!route || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const started = performance.now();
    const record = (status: number, result?: unknown): void => {
      const targetId = targetOf(route.target, request, result);
      const actor = request.user;
      // An external issuer's principal has no Warden session, and its subject is not a Warden user id.
      const wardenUser = actor?.sessionId ? actor : undefined;
      const success = status < 400;
      this.audit.record({
        type: route.event,
        success,
        userId: actor
          ? (wardenUser?.userId ?? null)
          : route.targetIsUser && route.target && 'result' in route.target
            ? targetId
            : null,
        sessionId: wardenUser?.sessionId ?? null,
        client: clientInfo(request),
        reason: success ? undefined : reasonFor(status),
        metadata: {
          status,
          durationMs: Math.round(performance.now() - started),
          ...(actor ? { transport: actor.transport } : {}),
          ...(actor && !wardenUser ? { issuer: actor.issuer, subject: actor.userId.slice(0, MAX_ID_LENGTH) } : {}),
          ...(typeof request.id === 'string' || typeof request.id === 'number' ? { requestId: request.id } : {}),
          ...(targetId ? { targetId } : {}),
        },
      });
    };
    let result: unknown;
    return next.handle().pipe(
      tap({
        next: (value) => (result ??= value),
        // One record per request, once the handler's answer is complete. The router set the route's
        // status (@HttpCode) before the handler ran.
        complete: () => record(response.statusCode, result),
        error: (error: unknown) => record(statusOf(error)),
      }),
    );
  }
}

function targetOf(target: AuditTarget | undefined, request: Request, result: unknown): string | null {
  if (!target) return null;
  const value =
    'param' in target
      ? (request.params as Record<string, unknown>)[target.param]
      : typeof result === 'object' && result !== null
        ? (result as Record<string, unknown>)[target.result]
        : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value).slice(0, MAX_ID_LENGTH) || null : null;
}

/** As the exception filter answers: an HttpException keeps its status, anything else is a 500. */
function statusOf(error: unknown): number {
  return error instanceof HttpException ? error.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
}

/** One of a fixed set (not_found, conflict, internal_server_error, ...), whatever the error said. */
function reasonFor(status: number): string {
  return (STATUS_CODES[status] ?? `http_${status}`).toLowerCase().replace(/[^a-z0-9]+/g, '_');
}
