import type { OnApplicationBootstrap } from '@nestjs/common';
import { Repository } from 'typeorm';
import type { RejectionReason } from './token-rejection';
import { Clock } from '../common/clock/clock';
import { SharedStateUnavailableException } from '../common/exceptions/retry-later.exception';
import type { RevocationSettings } from './revocation.config';
import { RedisConnection } from '../redis/redis-connection';
import { DatabaseRevocationStore, isRevocationKind, RevocationEntry } from './database-revocation.store';
import { Revocation } from './entities/revocation.entity';
import type { RevocableToken } from './revocation.store';

export const REVOCATION_CHANNEL = 'revocations';

/**
 * With Redis: the database stays the record, and every revocation is also published, so each instance
 * applies it within milliseconds instead of at its next poll. Redis carries the news only: a Redis that
 * restarts empty, or fails over, forgets nothing, because after every (re)subscription the instance reads
 * the whole list from the database before it answers again. While the subscription is down the instance
 * cannot know what it is missing, so protected requests get a 503 until it is back and re-read.
 */
export class RedisRevocationStore extends DatabaseRevocationStore implements OnApplicationBootstrap {
  /** Subscribed and caught up since the last (re)connect; checks refuse while false. */
  private live = false;
  /** Bumped on every connection loss, so a re-read that started before one cannot mark the store live. */
  private epoch = 0;

  constructor(
    revocations: Repository<Revocation>,
    clock: Clock,
    settings: RevocationSettings,
    private readonly redis: RedisConnection,
  ) {
    super(revocations, clock, settings);
  }

  override async onModuleInit(): Promise<void> {
    const subscriber = this.redis.subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.redis.channel(REVOCATION_CHANNEL)) this.receive(message);
    });
    subscriber.on('close', () => this.lost());
    subscriber.on('ready', () => void this.catchUp());
    await super.onModuleInit();
  }

  /** Before the server listens: caught up if Redis is there (otherwise requests get 503s until it is). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.live && this.redis.subscriber.status === 'ready') await this.catchUp();
  }

  override async check(token: RevocableToken): Promise<RejectionReason | undefined> {
    if (!this.live) throw new SharedStateUnavailableException('The revocation list');
    return super.check(token);
  }

  /** Applied and recorded here, then announced; a failed announcement is a 503 (the caller may retry). */
  protected override async persist(entry: RevocationEntry): Promise<RevocationEntry> {
    const merged = await super.persist(entry);
    try {
      await this.redis.client.publish(
        this.redis.channel(REVOCATION_CHANNEL),
        JSON.stringify({ ...merged, expiresAt: merged.expiresAt.getTime() }),
      );
    } catch (error) {
      this.logger.error(`Could not announce a revocation: ${(error as Error).message}`);
      throw new SharedStateUnavailableException('Revocation');
    }
    return merged;
  }

  private lost(): void {
    if (this.live) this.logger.warn('Revocation channel lost: refusing protected requests until it is back');
    this.live = false;
    this.epoch += 1;
  }

  /** Subscribes (awaiting Redis's confirmation), then re-reads everything: only then is nothing missed. */
  private async catchUp(): Promise<void> {
    const epoch = this.epoch;
    try {
      await this.redis.subscriber.subscribe(this.redis.channel(REVOCATION_CHANNEL));
      await this.sync();
    } catch (error) {
      this.logger.error(`Revocation catch-up failed: ${(error as Error).message}`);
      return;
    }
    if (epoch !== this.epoch || this.redis.subscriber.status !== 'ready') return;
    if (!this.live) this.logger.log('Revocation channel subscribed and list re-read');
    this.live = true;
  }

  private receive(message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const entry = parsed as { kind?: unknown; subject?: unknown; issuedBefore?: unknown; expiresAt?: unknown };
    if (
      !isRevocationKind(entry.kind) ||
      typeof entry.subject !== 'string' ||
      typeof entry.expiresAt !== 'number' ||
      (entry.issuedBefore !== null && typeof entry.issuedBefore !== 'number')
    ) {
      this.logger.warn('Ignored a malformed revocation message');
      return;
    }
    this.apply({
      kind: entry.kind,
      subject: entry.subject,
      issuedBefore: entry.issuedBefore,
      expiresAt: new Date(entry.expiresAt),
    });
  }
}
