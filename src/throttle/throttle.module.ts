import { Global, Inject, Logger, Module, OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { Clock } from '../common/clock/clock';
import { appConfig, databaseConfig } from '../config/app-settings';
import { throttleConfig } from './throttle.config';
import { RedisConnection } from '../redis/redis-connection';
import { AttemptStore } from './attempt-store';
import { InMemoryAttemptStore } from './in-memory-attempt.store';
import { InMemoryThrottlerStorage } from './in-memory-throttler.storage';
import { RedisAttemptStore } from './redis-attempt.store';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * A generous request rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW per client, all routes together) and the
 * counters behind login lockouts and the anomaly rules. Both live in Redis when REDIS_URL is set, so every
 * instance counts together; otherwise in this process.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [throttleConfig.KEY, Clock, RedisConnection],
      useFactory: (config: ConfigType<typeof throttleConfig>, clock: Clock, redis: RedisConnection | null) => ({
        throttlers: [{ ttl: config.rateLimit.windowSeconds * 1000, limit: config.rateLimit.max }],
        // O(1) fixed windows: in this process, or in Redis (shared) with this process's as the fallback.
        storage: redis
          ? new RedisThrottlerStorage(redis, clock, new InMemoryThrottlerStorage(clock))
          : new InMemoryThrottlerStorage(clock),
      }),
    }),
  ],
  // The request limit's guard (ClientIpThrottlerGuard) is registered by the security pipeline (pipeline/).
  providers: [
    {
      provide: AttemptStore,
      inject: [RedisConnection, Clock],
      useFactory: (redis: RedisConnection | null, clock: Clock) =>
        redis ? new RedisAttemptStore(redis, clock) : new InMemoryAttemptStore(clock),
    },
  ],
  exports: [AttemptStore],
})
export class ThrottleModule implements OnApplicationBootstrap {
  constructor(
    @Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
  ) {}

  /** PostgreSQL suggests several instances; without Redis each would count alone (WARDEN_INSTANCES > 1 refuses). */
  onApplicationBootstrap(): void {
    if (this.redis || this.app.nodeEnv !== 'production' || !this.database.url.startsWith('postgres')) return;
    new Logger('Throttle').warn(
      'PostgreSQL without REDIS_URL: login-failure counts and the request rate limit are per instance, and ' +
        'revocations reach other instances only by polling. Set REDIS_URL before running more than one instance.',
    );
  }
}
