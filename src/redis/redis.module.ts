import { Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { redisConfig } from './redis.config';
import { RedisConnection } from './redis-connection';

/** Opens the connections before the stores that use them start, and closes them last. */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null) {}

  async onModuleInit(): Promise<void> {
    await this.redis?.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.close();
  }
}

/**
 * Redis when REDIS_URL is set: RedisConnection is then injectable, and null otherwise (every store that
 * can use it falls back to its in-process or database twin).
 */
@Global()
@Module({
  providers: [
    {
      provide: RedisConnection,
      inject: [redisConfig.KEY],
      useFactory: ({ settings }: ConfigType<typeof redisConfig>) => (settings ? new RedisConnection(settings) : null),
    },
    RedisLifecycle,
  ],
  exports: [RedisConnection],
})
export class RedisModule {}
