import { CanActivate, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/configuration';

/** The lab exists only where LAB_ENABLED says so (default: development); elsewhere its routes are 404. */
@Injectable()
export class LabEnabledGuard implements CanActivate {
  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  canActivate(): boolean {
    if (!this.app.labEnabled) throw new NotFoundException();
    return true;
  }
}
