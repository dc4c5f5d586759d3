import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { RedisConnection } from '../redis/redis-connection';

const KEYS_CHANNEL = 'keys';

/**
 * Tells every instance that the key table changed (a rotation, a published next key, a revoked key), so
 * each reloads at once instead of at its next KEY_REFRESH_INTERVAL poll. Without Redis it does nothing and
 * the poll remains the bound; with it the poll is only the backstop.
 */
@Injectable()
export class KeyChangeBus {
  private readonly logger = new Logger(KeyChangeBus.name);

  constructor(@Optional() @Inject(RedisConnection) private readonly redis: RedisConnection | null) {}

  /** The change is already committed: a failed announcement only delays the others until their poll. */
  async announce(): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.client.publish(this.redis.channel(KEYS_CHANNEL), 'changed');
    } catch (error) {
      this.logger.warn(
        `Could not announce a key change (${(error as Error).message}); other instances reload within KEY_REFRESH_INTERVAL`,
      );
    }
  }

  /** Calls `reload` on every announcement, and after every reconnect (announcements may have been missed). */
  async listen(reload: () => void): Promise<void> {
    if (!this.redis) return;
    const { subscriber } = this.redis;
    const channel = this.redis.channel(KEYS_CHANNEL);
    subscriber.on('message', (from: string) => {
      if (from === channel) reload();
    });
    let subscribedOnce = false;
    subscriber.on('ready', () => {
      if (subscribedOnce) reload();
    });
    await subscriber.subscribe(channel).catch((error: Error) => this.logger.error(error.message));
    subscribedOnce = true;
  }
}
