import { Module } from '@nestjs/common';
import { RedisConnection } from '../redis/redis-connection';
import { DpopChallenge } from './dpop-challenge';
import { DpopNonceService } from './dpop-nonce.service';
import { DpopProofService } from './dpop-proof.service';
import { DpopReplayCache, InMemoryDpopReplayCache } from './dpop-replay-cache';
import { RedisDpopReplayCache } from './redis-dpop-replay-cache';

/** DPoP (RFC 9449): proof verification, server nonces and the replay cache the proofs are checked against. */
@Module({
  providers: [
    DpopProofService,
    DpopChallenge,
    DpopNonceService,
    {
      // Shared by every instance with REDIS_URL (RedisModule is global; null without it), else in-process.
      provide: DpopReplayCache,
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection | null) =>
        redis ? new RedisDpopReplayCache(redis) : new InMemoryDpopReplayCache(),
    },
  ],
  exports: [DpopProofService, DpopNonceService, DpopChallenge],
})
export class DpopModule {}
