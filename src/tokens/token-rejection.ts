import type { DpopFailure } from '../dpop/dpop-proof-error';

/**
 * Why an access token was refused. Precise for the audit log; the client only ever sees a generic 401.
 */
export type RejectionReason =
  | 'missing_token'
  | 'malformed'
  | 'bad_typ'
  | 'bad_alg'
  | 'missing_kid'
  | 'unknown_kid'
  | 'unsupported_crit'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_issuer'
  | 'bad_audience'
  | 'missing_claims'
  | 'fingerprint_missing'
  | 'fingerprint_mismatch'
  | 'dbsc_cookie_missing'
  | 'dbsc_cookie_invalid'
  | 'dbsc_cookie_expired'
  | 'revoked'
  | 'session_revoked'
  | 'user_tokens_revoked'
  | 'jwks_unavailable'
  | 'external_issuer_not_accepted'
  | 'invalid'
  | DpopFailure;

export class TokenRejectedError extends Error {
  constructor(
    public readonly reason: RejectionReason,
    public readonly details: { userId?: string; sessionId?: string } = {},
  ) {
    super(reason);
    this.name = 'TokenRejectedError';
  }
}

/** Maps jsonwebtoken's and passport-jwt's error messages to a rejection reason. */
export function rejectionReason(error: unknown): RejectionReason {
  if (error instanceof TokenRejectedError) return error.reason;
  if (!(error instanceof Error)) return 'invalid';
  if (error.name === 'TokenExpiredError') return 'expired';
  if (error.name === 'NotBeforeError') return 'not_yet_valid';
  const message = error.message;
  if (message === 'No auth token') return 'missing_token';
  if (message === 'invalid signature') return 'bad_signature';
  if (message === 'invalid algorithm') return 'bad_alg';
  if (message.startsWith('jwt audience invalid')) return 'bad_audience';
  if (message.startsWith('jwt issuer invalid')) return 'bad_issuer';
  if (
    message.startsWith('jwt malformed') ||
    message.includes('invalid token') ||
    message === 'jwt signature is required'
  ) {
    return 'malformed';
  }
  return 'invalid';
}
