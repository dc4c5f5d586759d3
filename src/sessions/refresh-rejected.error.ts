import type { BindingFailure } from './device-binding';
import type { Session } from './entities/session.entity';

/**
 * Why RefreshTokenService refused a refresh token: the client only ever sees a generic 401, the audit log
 * and the anomaly rules see this. A refused refresh is handled in one place, RefreshRefusalService.
 */
export type RefreshFailure =
  'unknown_token' | 'expired' | 'session_ended' | 'transport_mismatch' | BindingFailure | 'reuse';

export class RefreshRejectedError extends Error {
  constructor(
    public readonly reason: RefreshFailure,
    public readonly session?: Session,
  ) {
    super(reason);
    // A reuse must carry what ending the family needs: as a plain refusal, RefreshRefusalService would
    // record it and revoke nothing.
    if (reason === 'reuse' && new.target === RefreshRejectedError) {
      throw new TypeError('A reused refresh token is a RefreshTokenReusedError');
    }
    this.name = 'RefreshRejectedError';
  }
}

/**
 * A spent (or superseded) token presented again: two parties hold it. Nothing is revoked yet; the caller
 * hands it to RefreshRefusalService, which ends the family and reports it (`tokenId` names the spent token,
 * `at` when it was presented again).
 */
export class RefreshTokenReusedError extends RefreshRejectedError {
  constructor(
    public override readonly session: Session,
    public readonly tokenId: string,
    public readonly at: Date,
  ) {
    super('reuse', session);
    this.name = 'RefreshTokenReusedError';
  }
}
