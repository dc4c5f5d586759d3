// Long file: one state machine; its timer, cross-tab lock, channel and idle stop share the same few variables.
/**
 * The session as this tab knows it, kept in memory only.
 *
 * The tokens themselves are HttpOnly cookies: the page never sees them. What it does hold is what the
 * server tells it alongside them: who the user is, when the access token expires (to refresh it in
 * time) and the CSRF token that unsafe requests must echo in `X-CSRF-Token`. None of it is written to
 * localStorage, sessionStorage or document.cookie, so a script injected into the page finds nothing that
 * outlives the tab (OWASP JWT Cheat Sheet, "Token Storage on Client Side").
 *
 * Tabs share one cookie jar, so they coordinate:
 * - only one refresh runs at a time across all tabs (Web Locks); two tabs presenting the same refresh
 *   token at once would look exactly like a stolen token being replayed, and the server would revoke
 *   the whole session;
 * - the tab that refreshed (or logged in) broadcasts the result, the others adopt it instead of
 *   refreshing themselves;
 * - logging out in one tab logs out every tab.
 *
 * Every authenticated answer also says when the access cookie it was sent with expires
 * (`Access-Token-Expires-At`); a tab adopts it, so it refreshes shortly before the real expiry even when
 * its memory is wrong (a login answer it never saw, a broadcast it missed) instead of waiting for a 401.
 *
 * Silent refresh runs only while someone uses the app (ASVS 5.0 7.3.1): after the server's
 * `idleTimeoutSeconds` without input in any tab, the timer stops and the server's own idle limit can end
 * the session; the next input resumes it (refreshing at once if the access token is due).
 *
 * What stands alone lives beside it: session-timing.ts (the arithmetic), session-data.ts (reading answers
 * and messages), session-activity.ts (user input).
 */
import { ApiError, isRecord, send, type HttpResult } from './http';
import { trackActivity } from './session-activity';
import {
  isEndReason,
  parseSession,
  refreshedMessage,
  type EndReason,
  type SessionData,
  type SessionMessage,
  type User,
} from './session-data';
import {
  ASSUMED_LIFETIME_MS,
  isDue,
  onLocalClock,
  parseInstant,
  refreshAt,
  sameExpiry,
  timerDelay,
} from './session-timing';

export type { EndReason, User } from './session-data';

export type AuthState = 'pending' | 'logged-in' | 'logged-out';

export type SessionEvent =
  | { kind: 'logged-in' | 'refreshed' | 'user-changed'; user: User; remote: boolean }
  | { kind: 'logged-out'; reason: EndReason; remote: boolean };

interface SessionState extends SessionData {
  /** Bumped on every change; lets a refresh tell whether someone else already refreshed. */
  generation: number;
}

const CHANNEL_NAME = 'warden-session';
const LOCK_NAME = 'warden-refresh';
const RETRY_AFTER_FAILURE_MS = 15_000;
const REFRESH_TIMEOUT_MS = 15_000;
const EXPIRY_HEADER = 'Access-Token-Expires-At';

let state: SessionState | null = null;
let status: AuthState = 'pending';
let generation = 0;
/** How long a tab holding the refresh lock waits for another tab's just-posted result. */
const BROADCAST_SETTLE_MS = 100;
let inFlight: Promise<boolean> | null = null;
let timer: number | undefined;
let paused = false;
/** Refresh stopped for want of user input; the next input resumes it. */
let idle = false;
/** A CSRF token fetched on page load, before the first refresh tells us the full state. */
let bootstrapCsrf: string | null = null;

const listeners = new Set<(event: SessionEvent) => void>();
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null;

channel?.addEventListener('message', (event: MessageEvent<unknown>) => receive(event.data));
document.addEventListener('visibilitychange', () => {
  // Background tabs have their timers throttled; catch up as soon as the tab is looked at again.
  if (document.visibilityState === 'visible') catchUp();
});
window.addEventListener('online', catchUp);
const activity = trackActivity(
  () => post({ type: 'active' }),
  () => {
    if (!idle) return;
    setIdle(false);
    schedule();
    catchUp();
  },
);

export function authState(): AuthState {
  return status;
}

export function currentUser(): User | null {
  return state?.user ?? null;
}

export function isAdmin(): boolean {
  return state?.user.roles.includes('admin') ?? false;
}

export function csrfToken(): string | null {
  return state?.csrfToken ?? null;
}

export function currentGeneration(): number {
  return generation;
}

/** When the access token expires and when this tab plans to refresh it (epoch ms), for display. */
export function timing(): { expiresAt: number; refreshAt: number } | null {
  return state ? { expiresAt: state.expiresAt, refreshAt: refreshAt(state) } : null;
}

export function onSessionChange(listener: (event: SessionEvent) => void, signal?: AbortSignal): () => void {
  listeners.add(listener);
  const remove = (): void => void listeners.delete(listener);
  signal?.addEventListener('abort', remove, { once: true });
  return remove;
}

/**
 * On page load the memory is empty. Without the session hint there is nothing to restore. If the access
 * cookie is still valid, `GET /api/auth/csrf` gives the
 * CSRF token the refresh call needs; either way one refresh tells us the user and the expiry (or that
 * there is no session).
 */
export async function bootstrap(): Promise<void> {
  // No session-hint cookie, no session: asking anyway would only earn a 401 from each endpoint.
  if (!hasSessionHint()) return end('none', { broadcast: false });
  const seen = generation;
  bootstrapCsrf = await fetchCsrfToken();
  try {
    await refresh(seen);
  } finally {
    bootstrapCsrf = null;
    if (status === 'pending') end('none', { broadcast: false });
  }
}

/**
 * The server sets `__Host-session-hint=1` (not HttpOnly, not a credential) beside the session cookies and
 * clears it with them: the one cookie this page may read.
 */
export const SESSION_HINT_COOKIE = '__Host-session-hint';

function hasSessionHint(): boolean {
  return document.cookie.split(';').some((cookie) => cookie.trim().startsWith(`${SESSION_HINT_COOKIE}=`));
}

/** Adopt the answer of a successful login: `{user, accessTokenExpiresAt, csrfToken}`. */
export function start(result: HttpResult): User {
  const next = parseSession(result.body, result.headers.get('Date'));
  if (!next) throw new Error('The server answered the login with an unexpected body.');
  adopt(next, { remote: false });
  return next.user;
}

/**
 * Refresh the access token. Resolves true when the tab holds a live session afterwards, false when the
 * server refused (the session is over, every tab is told). Network and 5xx failures reject and leave the
 * state alone: a flaky connection must not log anyone out.
 *
 * `seen` is the generation the caller last relied on (for example, when the request that got a 401 was
 * sent). Concurrent callers share one request.
 */
export function refresh(seen: number = generation): Promise<boolean> {
  inFlight ??= withRefreshLock(() => refreshHoldingLock(seen)).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/**
 * Adopts the expiry an authenticated answer reports for the access cookie it was sent with, when that
 * differs from what this tab holds; the refresh timer follows. `seen` is the generation the request was
 * sent under: an answer to a request sent before a refresh describes a cookie that is gone.
 */
export function noteExpiry(result: HttpResult, seen: number): void {
  if (!state || state.generation !== seen) return;
  const expiry = parseInstant(result.headers.get(EXPIRY_HEADER));
  if (expiry === null) return;
  const expiresAt = onLocalClock(expiry, result.headers.get('Date'));
  if (sameExpiry(expiresAt, state.expiresAt)) return;
  state = { ...state, expiresAt };
  schedule();
  catchUp();
}

/** Forget the session in this tab and, unless told otherwise, in every other tab. */
export function end(reason: EndReason, options: { broadcast?: boolean; remote?: boolean } = {}): void {
  const { broadcast = true, remote = false } = options;
  state = null;
  paused = false;
  setIdle(false);
  generation += 1;
  window.clearTimeout(timer);
  if (broadcast) post({ type: 'logged-out', reason });
  if (status === 'logged-out') return;
  status = 'logged-out';
  emit({ kind: 'logged-out', reason, remote });
}

/** Whether silent refresh has stopped for want of user input (shown on the profile screen). */
export function isIdle(): boolean {
  return idle;
}

/** Stop refreshing on a timer, for a demonstration that is about to kill the session on purpose. */
export function pauseRefresh(): void {
  paused = true;
  window.clearTimeout(timer);
}

export function resumeRefresh(): void {
  paused = false;
  schedule();
  catchUp();
}

async function refreshHoldingLock(seen: number): Promise<boolean> {
  // A tab that refreshed posts its result before it releases the lock, but the message and our lock grant
  // are separate events that may arrive in either order (seen on a loaded machine): give a message already
  // on its way a moment to land before deciding.
  if (state && state.generation === seen) await new Promise((resolve) => setTimeout(resolve, BROADCAST_SETTLE_MS));
  // Another tab, or an earlier request from this one, refreshed while we waited for the lock. Its new
  // cookies are ours too (one jar per browser), so refreshing again would only spend a token for nothing.
  if (state && state.generation !== seen && !isDue(state)) return true;

  const sentToken = state?.csrfToken ?? bootstrapCsrf;
  let result = await postRefresh(sentToken);
  if (result.status === 403 && state) {
    // Our CSRF token may belong to a session another tab has replaced; ask for the current one once.
    const current = await fetchCsrfToken();
    if (current && current !== sentToken) result = await postRefresh(current);
  }

  if (result.ok) {
    const next = parseSession(result.body, result.headers.get('Date'));
    if (!next) throw new ApiError(result);
    adopt(next, { remote: false });
    return true;
  }
  if (result.status === 401 || result.status === 403) {
    const hadSession = state !== null;
    end(hadSession ? 'expired' : 'none', { broadcast: hadSession });
    return false;
  }
  throw new ApiError(result);
}

function postRefresh(token: string | null): Promise<HttpResult> {
  return send('POST', '/api/auth/refresh', {
    csrfToken: token,
    signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
  });
}

async function fetchCsrfToken(): Promise<string | null> {
  try {
    const result = await send('GET', '/api/auth/csrf');
    const token = isRecord(result.body) ? result.body['csrfToken'] : undefined;
    return result.ok && typeof token === 'string' ? token : null;
  } catch {
    return null;
  }
}

function withRefreshLock<T>(task: () => Promise<T>): Promise<T> {
  // Web Locks exist only in secure contexts (https, localhost); elsewhere this tab can only serialise itself.
  if (!('locks' in navigator) || !navigator.locks) return task();
  return navigator.locks.request(LOCK_NAME, task);
}

function adopt(next: SessionData, { remote }: { remote: boolean }): void {
  const previous = state;
  generation += 1;
  state = { ...next, generation };
  status = 'logged-in';
  schedule();
  if (!remote) post(refreshedMessage(next));
  const kind = !previous ? 'logged-in' : previous.user.id !== next.user.id ? 'user-changed' : 'refreshed';
  emit({ kind, user: next.user, remote });
}

function receive(data: unknown): void {
  if (!isRecord(data)) return;
  if (data['type'] === 'refreshed') {
    const lifetime = typeof data['lifetimeMs'] === 'number' ? data['lifetimeMs'] : ASSUMED_LIFETIME_MS;
    const next = parseSession(data, null, lifetime);
    if (next) adopt(next, { remote: true });
  } else if (data['type'] === 'active') {
    activity.note({ broadcast: false });
  } else if (data['type'] === 'logged-out' && state) {
    end(isEndReason(data['reason']) ? data['reason'] : 'logout', { broadcast: false, remote: true });
  }
}

function post(message: SessionMessage): void {
  channel?.postMessage(message);
}

function emit(event: SessionEvent): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch (error) {
      console.error('session listener failed', error);
    }
  }
}

function schedule(): void {
  window.clearTimeout(timer);
  if (!state || paused) return;
  const seen = state.generation;
  timer = window.setTimeout(() => void onTimer(seen), timerDelay(state));
}

/** Shown as body[data-session-idle] for the profile screen and the browser tests. */
function setIdle(value: boolean): void {
  idle = value;
  document.body.dataset['sessionIdle'] = String(value);
}

async function onTimer(seen: number): Promise<void> {
  if (!state || state.generation !== seen || paused) return;
  if (!isDue(state)) return schedule();
  if (activity.sinceLast() >= state.idleLimit) {
    // Nobody is here: let the access token lapse and the server's idle limit run (ASVS 5.0 7.3.1).
    setIdle(true);
    window.clearTimeout(timer);
    return;
  }
  try {
    await refresh(seen);
  } catch {
    if (state && state.generation === seen && !paused) {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void onTimer(seen), RETRY_AFTER_FAILURE_MS);
    }
  }
}

function catchUp(): void {
  if (state && !paused && isDue(state)) void onTimer(state.generation);
}
