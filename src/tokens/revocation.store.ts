import type { RejectionReason } from './token-rejection';

/** Access tokens verify with a few seconds of clock tolerance; revocations outlive them by this much. */
export const REVOCATION_LEEWAY_MS = 60_000;

export interface RevocableToken {
  jti: string;
  sid: string;
  sub: string;
  iat: number;
}

/**
 * Answers "is this access token revoked?" on every request, and records revocations. Entries live only
 * until the tokens they could affect have expired. The default implementation keeps them in memory and in
 * the database; a Redis one shares them between instances without polling.
 */
export abstract class RevocationStore {
  /** Denylists one access token until its own expiry. */
  abstract revokeToken(jti: string, expiresAt: Date): Promise<void>;
  /** Every access token of the session dies; `until` is when the last one would have expired anyway. */
  abstract revokeSession(sessionId: string, until: Date): Promise<void>;
  /** Every access token of the user issued before `issuedBefore` (epoch seconds) dies. */
  abstract revokeUserTokens(userId: string, issuedBefore: number, until: Date): Promise<void>;
  /** Undefined when the token may pass; otherwise why it may not. */
  abstract check(token: RevocableToken): Promise<RejectionReason | undefined>;
}
