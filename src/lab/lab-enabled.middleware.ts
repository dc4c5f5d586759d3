import { Inject, Injectable, NestMiddleware, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/configuration';

/**
 * The lab exists only where LAB_ENABLED says so (default: development); elsewhere its routes are 404 for
 * everyone. A middleware, not a guard, so it answers before the JWT guard could say 401.
 */
@Injectable()
export class LabEnabledMiddleware implements NestMiddleware {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  use(_request: unknown, _response: unknown, next: () => void): void {
    if (!this.app.labEnabled) throw new NotFoundException();
    next();
  }
}
