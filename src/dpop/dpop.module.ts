import { Module } from '@nestjs/common';
import { DpopChallenge } from './dpop-challenge';
import { DpopNonceService } from './dpop-nonce.service';
import { DpopProofService } from './dpop-proof.service';
import { DpopReplayCache, InMemoryDpopReplayCache } from './dpop-replay-cache';

/** DPoP (RFC 9449): proof verification, server nonces and the replay cache the proofs are checked against. */
@Module({
  providers: [
    DpopProofService,
    DpopChallenge,
    DpopNonceService,
    { provide: DpopReplayCache, useValue: new InMemoryDpopReplayCache() },
  ],
  exports: [DpopProofService, DpopNonceService, DpopChallenge],
})
export class DpopModule {}
