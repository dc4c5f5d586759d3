import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/decorators/public.decorator';
import { KeyStore } from '../keys/key-store.service';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly keyStore: KeyStore,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      // An instance that cannot sign answers every login with a 503: take it out of rotation.
      () => {
        const indicator = this.indicators.check('signing-key');
        return this.keyStore.hasActiveSigningKey() ? indicator.up() : indicator.down('no usable active signing key');
      },
    ]);
  }
}
