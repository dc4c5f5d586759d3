/**
 * The refresh timer's arithmetic, on this machine's clock (epoch ms): when to refresh, how long to sleep,
 * and when to believe the server's clock instead. No state, no DOM.
 */

/** What the timing needs of a session: when its access token expires and how long it lived when issued. */
export interface Expiry {
  expiresAt: number;
  lifetime: number;
}

const MAX_REFRESH_MARGIN_MS = 30_000;
const REFRESH_MARGIN_SHARE = 0.2;
const MIN_TIMER_DELAY_MS = 1_000;
/** setTimeout's ceiling (2^31 − 1 ms); a longer delay would fire at once. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;
const CLOCK_SKEW_TOLERANCE_MS = 5_000;
/** The expiry header has one-second resolution: a smaller difference from what we hold is the same expiry. */
const EXPIRY_TOLERANCE_MS = 1_000;

/** The lifetime assumed when a broadcast from another tab does not say. */
export const ASSUMED_LIFETIME_MS = MAX_REFRESH_MARGIN_MS * 5;

/** Refresh a margin before the expiry: 20 % of the token's lifetime, at most 30 s. */
export function refreshAt(s: Expiry): number {
  return s.expiresAt - Math.min(MAX_REFRESH_MARGIN_MS, s.lifetime * REFRESH_MARGIN_SHARE);
}

export function isDue(s: Expiry, now: number = Date.now()): boolean {
  return now >= refreshAt(s);
}

/** How long the timer sleeps: at least a second (no busy loop), at most what setTimeout can count. */
export function timerDelay(s: Expiry, now: number = Date.now()): number {
  return Math.min(Math.max(refreshAt(s) - now, MIN_TIMER_DELAY_MS), MAX_TIMER_DELAY_MS);
}

export function sameExpiry(a: number, b: number): boolean {
  return Math.abs(a - b) < EXPIRY_TOLERANCE_MS;
}

/**
 * An instant the server named, moved onto this machine's clock: measured against the server's `Date` header
 * when the two clocks clearly disagree, so a client with a wrong clock still refreshes on time.
 */
export function onLocalClock(instant: number, dateHeader: string | null, now: number = Date.now()): number {
  return now + instant - (serverClock(dateHeader, now) ?? now);
}

/**
 * The server's clock per the `Date` header, when it clearly disagrees with ours. The header has one-second
 * resolution and arrives after some latency, so a small difference is noise and the local clock is better.
 */
function serverClock(dateHeader: string | null, now: number): number | null {
  const serverNow = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  return Number.isNaN(serverNow) || Math.abs(serverNow - now) < CLOCK_SKEW_TOLERANCE_MS ? null : serverNow;
}

/** ISO string, or a number of epoch seconds (or milliseconds, if it is that large). */
export function parseInstant(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}
