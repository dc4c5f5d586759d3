import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';
import { clientInfo, clientKey } from '../common/client-info';
import { RetryLaterException } from '../common/exceptions/retry-later.exception';

/**
 * Counts per client exactly as the login throttle does: the TRUST_PROXY-aware address, an IPv6 /64 as
 * one client (clientKey). One budget per client across every route, as documented: the library's own key
 * is class + handler + client, which would give each route its own RATE_LIMIT_MAX.
 */
@Injectable()
export class ClientIpThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(clientKey(clientInfo(request as unknown as Request).ip));
  }

  /** The throttler's name and the client only: no route in the key, so all routes share one budget. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  /** The shared error shape with Retry-After (RFC 6585 §4), not the library's own message. */
  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RetryLaterException('Too many requests, try again later', detail.timeToBlockExpire);
  }
}
