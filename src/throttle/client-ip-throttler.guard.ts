import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { clientInfo } from '../common/client-info';

/** Counts per client IP exactly as the rest of Warden sees it (TRUST_PROXY-aware, one spelling). */
@Injectable()
export class ClientIpThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(clientInfo(request as unknown as Request).ip);
  }
}
