/**
 * How the server says "not yet": a login that wants its second factor, an action that wants a recent
 * authentication (RFC 9470). Pure recognizers, shared by the HTTP client (api.ts) and the MFA calls (mfa.ts).
 */
import { isRecord } from './http';

export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey';

/** The password was right; the account wants its second factor before a session exists. */
export interface SecondFactorChallenge {
  challenge: string;
  methods: SecondFactorMethod[];
  expiresAt: string;
}

/** RFC 9470: the server's 401 for an action that needs a recent authentication. */
export const STEP_UP_ERROR = 'insufficient_user_authentication';

export function isSecondFactorChallenge(body: unknown): body is SecondFactorChallenge & { secondFactorRequired: true } {
  return isRecord(body) && body['secondFactorRequired'] === true && typeof body['challenge'] === 'string';
}

export function isStepUpRequired(body: unknown): boolean {
  return isRecord(body) && body['code'] === STEP_UP_ERROR;
}
