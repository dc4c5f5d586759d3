import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { hash } from 'node:crypto';
import { dpopConfig } from './dpop.config';
import { DpopNonceService } from './dpop-nonce.service';
import { DpopFailure, DpopProofError } from './dpop-proof-error';
import { DpopReplayCache } from './dpop-replay-cache';
import { normalizeHtu, requestUrl } from './request-url';

export const DPOP_PROOF_TYPE = 'dpop+jwt';

/**
 * RFC 9449 §4.3: asymmetric algorithms only (never `none`, never HMAC), and the proof's key decides nothing.
 * Advertised in `WWW-Authenticate: DPoP algs="..."`.
 */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'Ed25519', 'EdDSA'];

/** Clock skew allowed between the client and Warden, either way, on top of the proof's maximum age. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const MAX_JTI_LENGTH = 256;

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: what `cnf.jkt` binds a token to. */
  jkt: string;
}

export interface ProofExpectations {
  /** The access token the proof must name in `ath` (RFC 9449 §4.3 step 11); absent at login and refresh. */
  accessToken?: string;
  /** The thumbprint the key must have: the token's `cnf.jkt` or the refresh token's session key. */
  boundTo?: string;
}

/**
 * Checks the `DPoP` header of a request (RFC 9449 §4.3), in the order that costs an attacker most: the
 * cheap header checks, the signature, the claims against this request, and last the replay cache, so only
 * a proof that passed everything else takes a place in it. Runs on every request: a proof is never cached.
 */
@Injectable()
export class DpopProofService {
  constructor(
    private readonly replays: DpopReplayCache,
    private readonly nonces: DpopNonceService,
    @Inject(dpopConfig.KEY) private readonly config: ConfigType<typeof dpopConfig>,
  ) {}

  /**
   * RFC 9449 §7.1 for an access token a resource server accepts: a token bound by `cnf.jkt` only under the
   * DPoP scheme with a valid proof by that key naming it in `ath`; the DPoP scheme only for a bound token.
   * Cheap for plain bearer tokens (no `cnf`, `Bearer` scheme): nothing to check.
   */
  async checkBinding(request: Request, token: string, scheme: string | undefined, cnf: unknown): Promise<void> {
    if (cnf === undefined && scheme !== 'DPoP') return;
    const boundTo = (cnf as { jkt?: unknown } | null)?.jkt;
    if (typeof boundTo !== 'string') throw new DpopProofError('dpop_token_not_bound');
    if (scheme !== 'DPoP') throw new DpopProofError('dpop_bound_token_as_bearer');
    await this.verify(request, { accessToken: token, boundTo });
  }

  /** True when the request carries a DPoP header at all. */
  hasProof(request: Request): boolean {
    return request.headers.dpop !== undefined;
  }

  async verify(request: Request, expected: ProofExpectations = {}): Promise<VerifiedProof> {
    const proof = request.headers.dpop;
    if (proof === undefined || proof === '') throw new DpopProofError('dpop_proof_missing');
    // §4.3 step 1, exactly one proof: Node joins repeated DPoP headers with ", ", no longer a JWS.
    if (typeof proof !== 'string') throw new DpopProofError('dpop_proof_malformed');
    const jwk = this.checkedHeader(proof);
    const payload = await this.verifiedPayload(proof);
    const { jti, htm, htu } = payload;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      throw new DpopProofError('dpop_missing_claims');
    }
    if (typeof htm !== 'string' || typeof htu !== 'string') throw new DpopProofError('dpop_missing_claims');
    if (htm !== request.method) throw new DpopProofError('dpop_htm_mismatch');
    const url = requestUrl(request);
    if (url === undefined || normalizeHtu(htu) !== url) throw new DpopProofError('dpop_htu_mismatch');
    if (expected.accessToken !== undefined && payload.ath !== accessTokenHash(expected.accessToken)) {
      throw new DpopProofError('dpop_ath_mismatch');
    }
    if (this.nonces.required) {
      if (payload.nonce === undefined) throw new DpopProofError('dpop_nonce_required');
      if (typeof payload.nonce !== 'string' || !this.nonces.isValid(payload.nonce)) {
        throw new DpopProofError('dpop_nonce_invalid');
      }
    }
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    if (expected.boundTo !== undefined && jkt !== expected.boundTo) throw new DpopProofError('dpop_key_mismatch');
    // Keyed by the normalised values the proof was checked against, hashed so the key has a fixed size.
    const replayKey = hash('sha256', JSON.stringify([jkt, jti, htm, url]), 'base64url');
    if (!(await this.replays.firstUse(replayKey, this.config.proofMaxAgeSeconds + 2 * CLOCK_TOLERANCE_SECONDS))) {
      throw new DpopProofError('dpop_replayed');
    }
    return { jkt };
  }

  /** §4.3 steps 4-7 before any signature work: the type, an allowed algorithm, a public key. */
  private checkedHeader(proof: string): JWK {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw new DpopProofError('dpop_proof_malformed');
    }
    if (header.typ !== DPOP_PROOF_TYPE) throw new DpopProofError('dpop_bad_typ');
    if (typeof header.alg !== 'string' || !DPOP_ALGORITHMS.includes(header.alg)) {
      throw new DpopProofError('dpop_bad_alg');
    }
    const jwk = header.jwk;
    if (jwk === null || typeof jwk !== 'object' || PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
      throw new DpopProofError('dpop_bad_jwk');
    }
    return jwk;
  }

  private async verifiedPayload(proof: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(proof, EmbeddedJWK, {
        typ: DPOP_PROOF_TYPE,
        algorithms: DPOP_ALGORITHMS,
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
        // The real clock, like access-token expiry (jwt.strategy.ts): the client's clock is a real one too.
        maxTokenAge: this.config.proofMaxAgeSeconds,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      return payload;
    } catch (error) {
      throw new DpopProofError(failureOf(error));
    }
  }
}

/** RFC 9449 §4.2 `ath`: base64url of the SHA-256 of the access token's ASCII. */
export function accessTokenHash(accessToken: string): string {
  return hash('sha256', accessToken, 'base64url');
}

function failureOf(error: unknown): DpopFailure {
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'dpop_bad_signature';
  if (error instanceof errors.JWTExpired) return 'dpop_iat_out_of_window';
  if (error instanceof errors.JWTClaimValidationFailed) {
    // An `iat` in the future (or an `nbf` not reached): outside the window as much as a stale one.
    if (error.claim === 'iat' || error.claim === 'exp' || error.claim === 'nbf') {
      return error.reason === 'missing' ? 'dpop_missing_claims' : 'dpop_iat_out_of_window';
    }
    return error.claim === 'typ' ? 'dpop_bad_typ' : 'dpop_missing_claims';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'dpop_bad_alg';
  // EmbeddedJWK refuses a key it cannot import, a private key, or one whose alg/use contradict the header.
  if (error instanceof errors.JWSInvalid && error.message.includes('JWK')) return 'dpop_bad_jwk';
  return 'dpop_proof_malformed';
}
