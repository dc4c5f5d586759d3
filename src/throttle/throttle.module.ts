import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { Clock } from '../common/clock/clock';
import { throttleConfig } from '../config/configuration';
import { RedisConnection } from '../redis/redis-connection';
import { AttemptStore } from './attempt-store';
import { ClientIpThrottlerGuard } from './client-ip-throttler.guard';
import { InMemoryAttemptStore } from './in-memory-attempt.store';
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
      inject: [throttleConfig.KEY, RedisConnection],
      useFactory: (config: ConfigType<typeof throttleConfig>, redis: RedisConnection | null) => ({
        throttlers: [{ ttl: config.rateLimit.windowSeconds * 1000, limit: config.rateLimit.max }],
        ...(redis && { storage: new RedisThrottlerStorage(redis) }),
      }),
    }),
  ],
  providers: [
    {
      provide: AttemptStore,
      inject: [RedisConnection, Clock],
      useFactory: (redis: RedisConnection | null, clock: Clock) =>
        redis ? new RedisAttemptStore(redis, clock) : new InMemoryAttemptStore(clock),
    },
    { provide: APP_GUARD, useClass: ClientIpThrottlerGuard },
  ],
  exports: [AttemptStore],
})
export class ThrottleModule {}
