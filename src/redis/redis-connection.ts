import { Logger } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import type { RedisSettings } from './redis.config';

/** A request never waits longer than this for Redis: a hung server becomes a 503, not a hung request. */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** Reconnect attempts back off to this at most, so service resumes within about a second of Redis. */
const MAX_RECONNECT_DELAY_MS = 500;

/**
 * The two connections an instance holds to Redis: one for commands (every key under REDIS_KEY_PREFIX) and
 * one subscribed to Warden's channels (a subscribed connection can run nothing else). Commands fail at
 * once while Redis is unreachable instead of queueing: callers turn that into a 503.
 */
export class RedisConnection {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis;
  readonly subscriber: Redis;
  readonly keyPrefix: string;
  private readonly scripts = new Set<string>();

  constructor(settings: RedisSettings) {
    this.keyPrefix = settings.keyPrefix;
    const options: RedisOptions = {
      keyPrefix: settings.keyPrefix,
      lazyConnect: true,
      // Fail fast while disconnected: a queued command would answer a request from a state long gone.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
      connectionName: 'warden',
    };
    this.client = new Redis(settings.url, options);
    // The subscriber may queue its SUBSCRIBE until connected; ioredis re-subscribes after a reconnect.
    this.subscriber = new Redis(settings.url, { ...options, enableOfflineQueue: true, commandTimeout: undefined });
    for (const [name, connection] of [
      ['commands', this.client],
      ['subscriber', this.subscriber],
    ] as const) {
      // Without a listener ioredis prints every failed reconnect; one line per state change is enough.
      let up = false;
      connection.on('error', (error: Error) => this.logger.debug(`Redis ${name}: ${error.message}`));
      connection.on('close', () => {
        if (up) this.logger.warn(`Redis ${name} connection lost; reconnecting`);
        up = false;
      });
      connection.on('ready', () => {
        up = true;
        this.logger.log(`Redis ${name} connection ready`);
      });
    }
  }

  /**
   * Runs a Lua script by its SHA (ioredis loads it on first use and after a Redis restart): the script's
   * commands run as one atomic step, whatever other instances do meanwhile.
   */
  runScript(name: string, lua: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (!this.scripts.has(name)) {
      this.client.defineCommand(name, { lua, numberOfKeys: keys.length });
      this.scripts.add(name);
    }
    const command = (this.client as unknown as Record<string, (...params: unknown[]) => Promise<unknown>>)[name];
    return command.call(this.client, ...keys, ...args);
  }

  /** A channel name under the key prefix (ioredis prefixes keys, never channels). */
  channel(name: string): string {
    return `${this.keyPrefix}${name}`;
  }

  /** Connects both; an unreachable Redis at start-up is not fatal: requests get 503s until it answers. */
  async connect(): Promise<void> {
    await Promise.all(
      [this.client, this.subscriber].map((connection) =>
        connection.connect().catch((error: Error) => this.logger.error(`Redis unreachable: ${error.message}`)),
      ),
    );
  }

  isReady(): boolean {
    return this.client.status === 'ready' && this.subscriber.status === 'ready';
  }

  async close(): Promise<void> {
    for (const connection of [this.client, this.subscriber]) {
      if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
      else connection.disconnect();
    }
  }
}
