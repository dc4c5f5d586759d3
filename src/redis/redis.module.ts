import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig, databaseConfig, redisConfig } from '../config/configuration';
import { RedisConnection } from './redis-connection';

/** Opens the connections before the stores that use them start, and closes them last. */
@Injectable()
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(
    @Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.redis) return this.redis.connect();
    if (this.app.nodeEnv === 'production' && this.database.url.startsWith('postgres')) {
      // PostgreSQL suggests several instances; without Redis each would keep its own counters.
      this.logger.warn(
        'PostgreSQL without REDIS_URL: login-failure counts and the request rate limit are per instance, ' +
          'and revocations reach other instances only by polling. Set REDIS_URL before running more than one ' +
          'instance (WARDEN_INSTANCES > 1 refuses to start without it).',
      );
    }
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
