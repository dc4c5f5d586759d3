/**
 * The authenticated HTTP client and one function per endpoint of the Warden API (docs/API.md).
 *
 * Every unsafe request carries `X-CSRF-Token`. A 401 means the access token is gone (expired, revoked,
 * throttled timers let it lapse): refresh once, retry once. If the refresh is refused, the session module
 * has already ended the session everywhere and the router shows the login screen.
 */
import { ApiError, UNSAFE_METHODS, isRecord, send, type Method, type SendOptions } from './http';
import { isSecondFactorChallenge, isStepUpRequired, type SecondFactorChallenge } from './auth-challenges';
import * as session from './session';
import type { User } from './session';

export interface RequestOptions {
  body?: unknown;
  query?: SendOptions['query'];
  signal?: AbortSignal;
}

export interface Profile extends User {
  createdAt: string;
  /** False only where UNVERIFIED_LOGIN=allow lets an account with an unconfirmed address log in. */
  emailVerified?: boolean;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AuditEvent {
  id: string;
  type: string;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  success: boolean;
  reason: string | null;
  createdAt: string;
}

export interface AuditFilters {
  type?: string;
  userId?: string;
  ip?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit?: number;
}

/** GET /api/admin/alerts items: an `alert_raised` audit event with what the admin screen needs lifted out. */
export interface Alert extends AuditEvent {
  rule: string;
  severity: string;
  userEmail: string | null;
  /** The rule's own details (counts, networks, windows) plus the alert's id. */
  metadata: Record<string, unknown> | null;
  /** The flag this alert put on the user, while it stands. */
  userFlag: { reason: string; flaggedAt: string; alertId: string } | null;
}

export interface AlertFilters {
  rule?: string;
  since?: string;
  cursor?: string | null;
}

export type ReplayAttack = 'alg-none' | 'other-user-agent' | 'no-fingerprint-cookie';

export interface ReplayResult {
  attack: string;
  request: { method: string; path: string; headers: Record<string, unknown> };
  response: { status: number; body: unknown };
}

export interface ReuseStep {
  label: string;
  status: number;
  body: unknown;
}

/**
 * Asks the user to confirm it is them (password, code or passkey) when an action needs a recent
 * authentication; resolves true once they did. Installed by the step-up prompt (step-up.ts).
 */
export type StepUpPrompt = (maxAgeSeconds: number | null) => Promise<boolean>;
let stepUpPrompt: StepUpPrompt | null = null;

export function onStepUpRequired(prompt: StepUpPrompt): void {
  stepUpPrompt = prompt;
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  let seen = session.currentGeneration();
  let result = await send(method, path, withCsrf(method, options));
  if (result.status === 401 && isStepUpRequired(result.body)) {
    // Not an expired token: the login is too old for this action. Refreshing would not help (it keeps
    // auth_time); re-authenticating does, then the action is sent once more.
    const maxAge = isRecord(result.body) && typeof result.body['maxAge'] === 'number' ? result.body['maxAge'] : null;
    if (stepUpPrompt && (await stepUpPrompt(maxAge))) result = await send(method, path, withCsrf(method, options));
  } else if (result.status === 401 && session.authState() === 'logged-in') {
    if (await session.refresh(seen)) {
      seen = session.currentGeneration();
      result = await send(method, path, withCsrf(method, options));
    }
  }
  session.noteExpiry(result, seen);
  if (!result.ok) throw new ApiError(result);
  return result.body as T;
}

function withCsrf(method: Method, options: RequestOptions): SendOptions {
  const { body, query, signal } = options;
  return { body, query, signal, csrfToken: UNSAFE_METHODS.has(method) ? session.csrfToken() : null };
}

/**
 * Cookie transport (the default): the body carries no token, only the expiry and the CSRF token. An
 * account with a second factor gets a challenge instead, for completeLogin() in mfa.ts.
 */
export async function login(email: string, password: string): Promise<User | SecondFactorChallenge> {
  const result = await send('POST', '/api/auth/login', { body: { email, password } });
  if (!result.ok) throw new ApiError(result);
  if (isSecondFactorChallenge(result.body)) return result.body;
  return session.start(result);
}

export async function logout(): Promise<void> {
  try {
    await request<void>('POST', '/api/auth/logout');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
  session.end('logout');
}

export async function logoutAll(): Promise<void> {
  await request<void>('POST', '/api/auth/logout-all');
  session.end('logout-all');
}

export function me(signal?: AbortSignal): Promise<Profile> {
  return request<Profile>('GET', '/api/users/me', { signal });
}

export function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  // A wrong current password is a 400 naming the field, never a 401: a 401 always means the token is gone.
  return request<void>('POST', '/api/users/me/password', { body: { currentPassword, newPassword } });
}

export async function listSessions(signal?: AbortSignal): Promise<SessionInfo[]> {
  const body = await request<unknown>('GET', '/api/auth/sessions', { signal });
  return Array.isArray(body) ? (body as SessionInfo[]) : [];
}

export function revokeSession(id: string): Promise<void> {
  return request<void>('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`);
}

export async function auditEvents(filters: AuditFilters, signal?: AbortSignal): Promise<Page<AuditEvent>> {
  return asPage<AuditEvent>(await request<unknown>('GET', '/api/admin/audit', { query: { ...filters }, signal }));
}

export async function alerts(filters: AlertFilters, signal?: AbortSignal): Promise<Page<Alert>> {
  return asPage<Alert>(await request<unknown>('GET', '/api/admin/alerts', { query: { ...filters }, signal }));
}

export function revokeUserSessions(userId: string): Promise<void> {
  return request<void>('POST', `/api/admin/users/${encodeURIComponent(userId)}/revoke-sessions`);
}

export function clearUserFlags(userId: string): Promise<void> {
  return request<void>('DELETE', `/api/admin/users/${encodeURIComponent(userId)}/flags`);
}

export function labReplay(attack: ReplayAttack): Promise<ReplayResult> {
  return request<ReplayResult>('POST', '/api/auth/lab/replay', { body: { attack } });
}

/** Whether the session is bound to a key this browser holds (DBSC); the bound cookie's value never comes back. */
export type DbscStatus =
  | { enabled: boolean; registered: false }
  | {
      enabled: boolean;
      registered: true;
      algorithm: string;
      publicKey: Record<string, unknown>;
      thumbprint: string;
      boundCookie: { name: string; expiresAt: string | null; lifetimeSeconds: number };
    };

export function labDbsc(signal?: AbortSignal): Promise<DbscStatus> {
  return request<DbscStatus>('GET', '/api/auth/lab/dbsc', { signal });
}

/** The server reports each step as `{label, request, response: {status, body}}`. */
export async function labRefreshReuse(): Promise<ReuseStep[]> {
  return labSteps(await request<unknown>('POST', '/api/auth/lab/refresh-reuse'));
}

/** The lab logs in once more as you, as a DPoP client, then plays a thief without the key. */
export async function labDpop(password: string): Promise<ReuseStep[]> {
  return labSteps(await request<unknown>('POST', '/api/auth/lab/dpop', { body: { password } }));
}

function labSteps(body: unknown): ReuseStep[] {
  const steps = isRecord(body) && Array.isArray(body['steps']) ? (body['steps'] as unknown[]) : [];
  return steps.filter(isRecord).map((step) => {
    const response = isRecord(step['response']) ? step['response'] : {};
    return {
      label: typeof step['label'] === 'string' ? step['label'] : '',
      status: Number(response['status']),
      body: response['body'],
    };
  });
}

export function asPage<T>(body: unknown): Page<T> {
  if (!isRecord(body)) return { items: [], nextCursor: null };
  const items = Array.isArray(body['items']) ? (body['items'] as T[]) : [];
  const cursor = body['nextCursor'];
  return { items, nextCursor: typeof cursor === 'string' && cursor !== '' ? cursor : null };
}
