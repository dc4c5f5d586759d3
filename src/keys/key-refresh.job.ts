import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SchedulerRegistry } from '@nestjs/schedule';
import { keysConfig } from './keys.config';
import { KeyChangeBus } from './key-change.bus';
import { KeyRotationService } from './key-rotation.service';
import { KeyStore } from './key-store.service';

/**
 * At bootstrap it opens, re-seals or creates the keys (KeyStore.prepare). Then every KEY_REFRESH_INTERVAL each instance retires expired keys, applies the rotation schedule and
 * re-reads the key table. That poll is what bounds the time for every instance to sign with a key
 * another instance (or the CLI) activated: at most one interval.
 */
@Injectable()
export class KeyRefreshJob implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly INTERVAL_NAME = 'key-refresh';
  private readonly logger = new Logger(KeyRefreshJob.name);

  constructor(
    private readonly keyStore: KeyStore,
    private readonly rotation: KeyRotationService,
    private readonly scheduler: SchedulerRegistry,
    private readonly changes: KeyChangeBus,
    @Inject(keysConfig.KEY) private readonly settings: ConfigType<typeof keysConfig>,
  ) {}

  /** The server's key start-up (never the CLI's): see KeyStore.prepare. Then the poll starts. */
  async onApplicationBootstrap(): Promise<void> {
    await this.keyStore.prepare();
    // With Redis, another instance's (or the CLI's) key change is applied at once; the poll stays the backstop.
    await this.changes.listen(() => void this.keyStore.reload().catch((e: Error) => this.logger.warn(e.message)));
    const timer = setInterval(() => void this.run(), this.periodMs());
    timer.unref();
    this.scheduler.addInterval(KeyRefreshJob.INTERVAL_NAME, timer);
  }

  /** The poll period in milliseconds: the documented bound on adopting another instance's rotation. */
  periodMs(): number {
    return this.settings.refreshIntervalSeconds * 1000;
  }

  onApplicationShutdown(): void {
    if (this.scheduler.doesExist('interval', KeyRefreshJob.INTERVAL_NAME)) {
      this.scheduler.deleteInterval(KeyRefreshJob.INTERVAL_NAME);
    }
  }

  async run(): Promise<void> {
    try {
      await this.rotation.retireExpired();
      await this.rotation.rotateIfDue();
      await this.keyStore.reload();
    } catch (error) {
      // A database hiccup must not stop the poll: the cached keys keep signing and verifying meanwhile.
      this.logger.warn(`Key refresh failed: ${(error as Error).message}`);
    }
  }
}
