import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { DpopNonceService } from './dpop-nonce.service';
import { DPOP_ALGORITHMS } from './dpop-proof.service';

const NONCE_FAILURES: ReadonlySet<string> = new Set(['dpop_nonce_required', 'dpop_nonce_invalid']);

/**
 * The `WWW-Authenticate: DPoP` challenge of a refused DPoP request (RFC 9449 §7.1, §9). It names the
 * standard error code only; the precise reason goes to the audit log, as for every refused token.
 */
@Injectable()
export class DpopChallenge {
  constructor(private readonly nonces: DpopNonceService) {}

  /** RFC 9449 §8.2: the next nonce travels with every answer to a proof, so a client rarely needs a failed round. */
  offerNonce(response: Response): void {
    if (this.nonces.required) response.setHeader('DPoP-Nonce', this.nonces.current());
  }

  challenge(reason: string, response: Response): void {
    const algs = `algs="${DPOP_ALGORITHMS.join(' ')}"`;
    if (NONCE_FAILURES.has(reason)) {
      response.setHeader('DPoP-Nonce', this.nonces.current());
      response.setHeader('WWW-Authenticate', `DPoP error="use_dpop_nonce", ${algs}`);
      return;
    }
    const error = reason === 'dpop_token_not_bound' ? 'invalid_token' : 'invalid_dpop_proof';
    response.setHeader('WWW-Authenticate', `DPoP error="${error}", ${algs}`);
  }
}
