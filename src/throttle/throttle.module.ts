import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { Clock } from '../common/clock/clock';
import { throttleConfig } from '../config/configuration';
import { AttemptStore } from './attempt-store';
import { ClientIpThrottlerGuard } from './client-ip-throttler.guard';
import { InMemoryAttemptStore } from './in-memory-attempt.store';
import { InMemoryThrottlerStorage } from './in-memory-throttler.storage';

/**
 * A generous request rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW per client, all routes together) and the
 * counters behind login lockouts and the anomaly rules.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [throttleConfig.KEY, Clock],
      useFactory: (config: ConfigType<typeof throttleConfig>, clock: Clock) => ({
        throttlers: [{ ttl: config.rateLimit.windowSeconds * 1000, limit: config.rateLimit.max }],
        // Any ThrottlerStorage plugs in here (a Redis one for several instances): O(1) fixed windows.
        storage: new InMemoryThrottlerStorage(clock),
      }),
    }),
  ],
  providers: [
    { provide: AttemptStore, useClass: InMemoryAttemptStore },
    { provide: APP_GUARD, useClass: ClientIpThrottlerGuard },
  ],
  exports: [AttemptStore],
})
export class ThrottleModule {}
