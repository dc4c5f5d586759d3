/**
 * The account routes that work by mail (registration, verification, reset, email change) and the
 * development outbox. Tokens from mailed links travel in POST bodies only.
 */
import { request } from './api';
import { ApiError, isRecord, send } from './http';

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  template: string;
  link: string | null;
  sentAt: string;
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const result = await send('POST', path, { body });
  if (!result.ok) throw new ApiError(result);
  return result.body as T;
}

/** The same answer whether or not the address already has an account: the mail tells its owner. */
export function register(email: string, password: string): Promise<{ message: string }> {
  return post('/api/auth/register', { email, password });
}

export function verifyEmail(token: string): Promise<{ email: string }> {
  return post('/api/auth/verify-email', { token });
}

export function requestPasswordReset(email: string): Promise<{ message: string }> {
  return post('/api/auth/password-reset', { email });
}

export function confirmPasswordReset(token: string, newPassword: string): Promise<void> {
  return post('/api/auth/password-reset/confirm', { token, newPassword });
}

export function confirmEmailChange(token: string): Promise<{ email: string }> {
  return post('/api/auth/email-change/confirm', { token });
}

export function undoEmailChange(token: string): Promise<{ email: string }> {
  return post('/api/auth/email-change/undo', { token });
}

export function requestEmailChange(currentPassword: string, newEmail: string): Promise<{ message: string }> {
  return request('POST', '/api/users/me/email', { body: { currentPassword, newEmail } });
}

/**
 * Whether this server has the development outbox: its page then carries `<meta name="warden-dev-outbox">`
 * (src/client/dev-outbox-page.ts). Asking GET /api/dev/outbox instead would cost a 404, and a console
 * error, on every production page that offers the link.
 */
export function hasOutbox(): boolean {
  return document.querySelector('meta[name="warden-dev-outbox"]') !== null;
}

/** The development outbox, or null where it does not exist (anywhere but development). */
export async function outbox(signal?: AbortSignal): Promise<OutboxMail[] | null> {
  if (!hasOutbox()) return null;
  const result = await send('GET', '/api/dev/outbox', { signal });
  if (result.status === 404) return null;
  if (!result.ok) throw new ApiError(result);
  return isRecord(result.body) && Array.isArray(result.body['items']) ? (result.body['items'] as OutboxMail[]) : [];
}

/**
 * The token of a mailed link (`#/<route>?token=...`), taken out of the address bar at once so it stays
 * out of the history and of anything that later reads the URL.
 */
export function takeLinkToken(): string | null {
  const [path, query = ''] = location.hash.split('?');
  const token = new URLSearchParams(query).get('token');
  if (token) history.replaceState(history.state, '', path);
  return token;
}
