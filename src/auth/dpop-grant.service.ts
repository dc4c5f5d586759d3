import { BadRequestException, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { clientInfo } from '../common/client-info';
import { DpopChallenge } from '../dpop/dpop-challenge';
import { DpopNonceService } from '../dpop/dpop-nonce.service';
import { DpopProofError } from '../dpop/dpop-proof-error';
import { DpopProofService } from '../dpop/dpop-proof.service';
import type { PresentingDevice } from '../sessions/device-binding';

/**
 * DPoP at login and refresh (RFC 9449 §5): the proof names the key the session's tokens are bound to.
 * Without a DPoP header nothing here applies, and a client logs in exactly as before.
 */
@Injectable()
export class DpopGrantService {
  constructor(
    private readonly proofs: DpopProofService,
    private readonly nonces: DpopNonceService,
    private readonly challenge: DpopChallenge,
    private readonly audit: AuditService,
  ) {}

  /** The key a login binds its session to, or undefined without a proof; an invalid proof is a 400. */
  async loginKey(request: Request, response: Response, transport: string): Promise<string | undefined> {
    if (!this.proofs.hasProof(request)) return undefined;
    if (transport !== 'bearer') {
      throw new BadRequestException('DPoP binds bearer tokens: log in with transport "bearer" to use it');
    }
    return this.proofKey(request, response);
  }

  /**
   * The key of the proof sent with a login's second step or a passkey sign-in, or undefined without one.
   * Their transport is the challenge's, so LoginSessionService.start refuses a proof on a browser login.
   */
  async proofKey(request: Request, response: Response): Promise<string | undefined> {
    if (!this.proofs.hasProof(request)) return undefined;
    try {
      const { jkt } = await this.proofs.verify(request);
      this.challenge.offerNonce(response);
      return jkt;
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      this.refuse(error, request, response);
    }
  }

  /**
   * The proof's outcome for the refresh token's binding to judge (device-binding.ts): a failure is
   * refused there with the session it concerns, audited and counted. Only a missing nonce answers here.
   */
  async refreshProof(request: Request, response: Response): Promise<PresentingDevice['dpop']> {
    if (!this.proofs.hasProof(request)) return undefined;
    try {
      const verified = await this.proofs.verify(request);
      this.challenge.offerNonce(response);
      return verified;
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      if (error.wantsNonce) this.refuse(error, request, response);
      return { failure: error.reason };
    }
  }

  /** RFC 9449 §5 and §8: `invalid_dpop_proof`, or `use_dpop_nonce` with the nonce to retry with. */
  private refuse(error: DpopProofError, request: Request, response: Response): never {
    if (error.wantsNonce) {
      response.setHeader('DPoP-Nonce', this.nonces.current());
      throw new BadRequestException('use_dpop_nonce: retry with the nonce in the DPoP-Nonce header');
    }
    // No account is known yet, and anyone can send these by the thousand: counted per source, not one row each.
    this.audit.recordRejection({
      type: 'dpop_proof_rejected',
      reason: error.reason,
      client: clientInfo(request),
      metadata: { path: request.path },
    });
    throw new BadRequestException('invalid_dpop_proof: the DPoP proof is invalid');
  }
}
