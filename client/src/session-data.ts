/**
 * What the server (login and refresh answers) and other tabs (BroadcastChannel messages) say about the
 * session, read defensively: anything malformed is ignored, never trusted.
 */
import { isRecord } from './http';
import { onLocalClock, parseInstant } from './session-timing';

export interface User {
  id: string;
  email: string;
  roles: string[];
}

/** Why a session ended: `none` means there never was one (a page load without cookies). */
export type EndReason = 'logout' | 'logout-all' | 'expired' | 'killed' | 'none';

/** The session as one answer describes it. */
export interface SessionData {
  user: User;
  csrfToken: string;
  /** Expiry of the access token, on this machine's clock (epoch ms). */
  expiresAt: number;
  /** How long the access token lived when it was issued (ms); sizes the refresh margin. */
  lifetime: number;
  /** No silent refresh after this long without user input (ms). */
  idleLimit: number;
}

/** What tabs tell each other over the channel. */
export type SessionMessage =
  | {
      type: 'refreshed';
      accessTokenExpiresAt: string;
      lifetimeMs: number;
      csrfToken: string;
      user: User;
      idleTimeoutSeconds: number;
    }
  | { type: 'logged-out'; reason: EndReason }
  | { type: 'active' };

/** Used when a server does not say (CLIENT_IDLE_TIMEOUT's default). */
const DEFAULT_IDLE_LIMIT_MS = 30 * 60_000;

/**
 * Reads `{user, accessTokenExpiresAt, csrfToken, idleTimeoutSeconds?}`. The expiry is measured against the
 * server's clock when ours is clearly off (see onLocalClock).
 */
export function parseSession(body: unknown, serverDate: string | null, knownLifetime?: number): SessionData | null {
  if (!isRecord(body) || !isUser(body['user']) || typeof body['csrfToken'] !== 'string') return null;
  const idleSeconds = body['idleTimeoutSeconds'];
  const expiry = parseInstant(body['accessTokenExpiresAt']);
  if (expiry === null) return null;
  const now = Date.now();
  const remaining = onLocalClock(expiry, serverDate, now) - now;
  return {
    user: { id: String(body['user'].id), email: body['user'].email, roles: [...body['user'].roles] },
    csrfToken: body['csrfToken'],
    expiresAt: now + remaining,
    lifetime: knownLifetime ?? Math.max(remaining, 0),
    idleLimit: typeof idleSeconds === 'number' && idleSeconds > 0 ? idleSeconds * 1000 : DEFAULT_IDLE_LIMIT_MS,
  };
}

/** The message another tab posts after a login or refresh. */
export function refreshedMessage(data: SessionData): SessionMessage {
  return {
    type: 'refreshed',
    accessTokenExpiresAt: new Date(data.expiresAt).toISOString(),
    lifetimeMs: data.lifetime,
    csrfToken: data.csrfToken,
    user: data.user,
    idleTimeoutSeconds: data.idleLimit / 1000,
  };
}

function isUser(value: unknown): value is Omit<User, 'id'> & { id: string | number } {
  return (
    isRecord(value) &&
    (typeof value['id'] === 'string' || typeof value['id'] === 'number') &&
    typeof value['email'] === 'string' &&
    Array.isArray(value['roles']) &&
    value['roles'].every((role) => typeof role === 'string')
  );
}

export function isEndReason(value: unknown): value is EndReason {
  return value === 'logout' || value === 'logout-all' || value === 'expired' || value === 'killed' || value === 'none';
}
