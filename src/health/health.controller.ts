import { Controller, Get, Inject, Optional, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../access/public.decorator';
import { KeyStore } from '../keys/key-store.service';
import { RedisConnection } from '../redis/redis-connection';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly keyStore: KeyStore,
    @Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  async check() {
    try {
      return await this.runChecks();
    } catch (error) {
      // Terminus reports the failing checks in its own body; keep the one error shape, and name them.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const failing = Object.keys((error.getResponse() as { error?: object }).error ?? {});
      throw new ServiceUnavailableException(`Unhealthy: ${failing.join(', ') || 'unknown'}`);
    }
  }

  private runChecks() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      // An instance that cannot sign answers every login with a 503: take it out of rotation.
      () => {
        const indicator = this.indicators.check('signing-key');
        return this.keyStore.hasActiveSigningKey() ? indicator.up() : indicator.down('no usable active signing key');
      },
      // With Redis, an instance that cannot reach it answers protected requests with 503s: not ready either.
      ...(this.redis ? [() => this.redisCheck(this.redis as RedisConnection)] : []),
    ]);
  }

  private async redisCheck(redis: RedisConnection) {
    const indicator = this.indicators.check('redis');
    if (!redis.isReady()) return indicator.down('not connected');
    try {
      await redis.client.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down((error as Error).message);
    }
  }
}
