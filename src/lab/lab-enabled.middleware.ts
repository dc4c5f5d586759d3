import { Inject, Injectable, NestMiddleware, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app-settings';
import { labConfig } from './lab.config';

/**
 * The lab exists only where LAB_ENABLED says so (default: development); elsewhere its routes are 404 for
 * everyone. A middleware, not a guard, so it answers before the JWT guard could say 401. It also stays off
 * while Warden serves HTTPS itself: its replays call this process over plain HTTP on loopback.
 */
@Injectable()
export class LabEnabledMiddleware implements NestMiddleware {
  constructor(
    @Inject(labConfig.KEY) private readonly lab: ConfigType<typeof labConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  use(_request: unknown, _response: unknown, next: () => void): void {
    if (!this.lab.enabled || this.app.tls) throw new NotFoundException();
    next();
  }
}
