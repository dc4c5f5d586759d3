import { Reflector } from '@nestjs/core';

/** Where the id of the thing a route acts on comes from: a route parameter, or a field of its result. */
export type AuditTarget = { param: string } | { result: string };

export interface AuditedOptions {
  target?: AuditTarget;
  /**
   * The target is a user id, and it is the event's user when nobody is logged in: a sign-up is about the
   * account it created. Only a target from the result counts (what the server made, never a parameter,
   * which is the caller's word). On an authenticated route the event's user is always the caller.
   */
  targetIsUser?: boolean;
}

export interface AuditedRoute extends AuditedOptions {
  event: string;
}

/**
 * Declares the audit event a route represents; AuditInterceptor records it once the handler settles, with
 * its outcome. Hand-write `AuditService.record` only for events that carry what the request does not know
 * (why a login failed, how many sessions ended).
 *
 *   @Audited('note_deleted', { target: { param: 'id' } })
 */
export const AuditedRouteMetadata = Reflector.createDecorator<AuditedRoute>();

export const Audited = (event: string, options: AuditedOptions = {}): MethodDecorator =>
  AuditedRouteMetadata({ event, ...options });
