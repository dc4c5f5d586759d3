/** Why a DPoP proof (or the binding it should prove) was refused: precise for the audit log. */
export type DpopFailure =
  | 'dpop_proof_missing'
  | 'dpop_proof_malformed'
  | 'dpop_bad_typ'
  | 'dpop_bad_alg'
  | 'dpop_bad_jwk'
  | 'dpop_bad_signature'
  | 'dpop_missing_claims'
  | 'dpop_htm_mismatch'
  | 'dpop_htu_mismatch'
  | 'dpop_iat_out_of_window'
  | 'dpop_ath_mismatch'
  | 'dpop_nonce_required'
  | 'dpop_nonce_invalid'
  | 'dpop_replayed'
  | 'dpop_key_mismatch'
  | 'dpop_bound_token_as_bearer'
  | 'dpop_token_not_bound'
  | 'dpop_not_for_cookies';

/**
 * Failures a thief produces, counted by the anomaly rules like fingerprint mismatches. A missing or stale
 * nonce is the normal first round of the nonce flow, and a malformed header is noise: neither counts.
 */
const SUSPICIOUS: ReadonlySet<DpopFailure> = new Set<DpopFailure>([
  'dpop_proof_missing',
  'dpop_bad_signature',
  'dpop_htm_mismatch',
  'dpop_htu_mismatch',
  'dpop_ath_mismatch',
  'dpop_replayed',
  'dpop_key_mismatch',
  'dpop_bound_token_as_bearer',
]);

export function isSuspiciousDpopFailure(reason: string): boolean {
  return SUSPICIOUS.has(reason as DpopFailure);
}

export class DpopProofError extends Error {
  constructor(public readonly reason: DpopFailure) {
    super(reason);
    this.name = 'DpopProofError';
  }

  /** RFC 9449 §8: the client retries with the nonce from the `DPoP-Nonce` header. */
  get wantsNonce(): boolean {
    return this.reason === 'dpop_nonce_required' || this.reason === 'dpop_nonce_invalid';
  }
}
