import { ApiError, isRecord, NetworkError } from './http';

/** Per-status wording for one form, e.g. `{401: 'Email or password is incorrect'}`. */
export type ErrorWording = Partial<Record<number, string>>;

export const SESSION_ENDED = 'Your session ended. Please log in again.';
export const STEP_UP_DECLINED = 'Nothing was changed: this action needs you to confirm it is you first.';

/** Turns any failure into sentences a person can act on; a 400 keeps the server's validation messages. */
export function describeError(error: unknown, wording: ErrorWording = {}): string[] {
  if (error instanceof NetworkError) {
    return ['Could not reach the server. Check your connection and try again.'];
  }
  if (!(error instanceof ApiError)) {
    return [error instanceof Error ? error.message : 'Something went wrong.'];
  }
  const specific = wording[error.status];
  if (specific) return [specific];
  switch (true) {
    case error.status === 429:
      return [tooManyAttempts(error.retryAfter)];
    case error.status === 400 && error.messages.length > 0:
      return error.messages;
    // RFC 9470: not a dead session, only an old login (the user declined to confirm it is them).
    case error.status === 401 && isRecord(error.body) && error.body['code'] === 'insufficient_user_authentication':
      return [STEP_UP_DECLINED];
    case error.status === 401:
      return [SESSION_ENDED];
    case error.status === 403:
      return [`You are not allowed to do that${error.messages[0] ? ` (${error.messages[0]})` : ''}.`];
    case error.status >= 500:
      return [`The server had a problem (${error.status}). Please try again in a moment.`];
    case error.messages.length > 0:
      return error.messages;
    default:
      return [`The request failed (${error.status}${error.error ? ` ${error.error}` : ''}).`];
  }
}

export function tooManyAttempts(retryAfter: number | null): string {
  if (retryAfter === null) return 'Too many attempts, try again later';
  return `Too many attempts, try again in ${retryAfter} ${retryAfter === 1 ? 'second' : 'seconds'}`;
}
