/**
 * How the alerts screen words each detection rule: its title, what happened and what Warden did on its own.
 * Changes when a rule is added or reworded on the server (src/anomaly).
 */
import { text as shown } from '../format';

export type Details = Record<string, unknown>;

interface RuleText {
  title: string;
  what(details: Details): string;
  /** What Warden did on its own; the flag, when the alert raised one, is added by the card. */
  did(details: Details): string;
}

/** One entry per rule in src/anomaly (ALERT_RULES on the server). */
export const RULES: Record<string, RuleText> = {
  refresh_token_reuse: {
    title: 'Refresh token reused',
    what: () =>
      'A refresh token that had already been spent was presented again: a copy of it exists outside the client it was issued to.',
    did: () => 'Ended the session.',
  },
  fingerprint_mismatch: {
    title: 'Stolen token replayed',
    what: (details) =>
      `The session's access token was used from ${count(details['sources'], 'other client')} without its fingerprint${within(details['windowSeconds'])}.`,
    did: () => 'Ended the session.',
  },
  session_ip_spread: {
    title: 'One session, two networks',
    what: (details) =>
      `The session went back and forth between distant networks${within(details['windowSeconds'])}: a copied cookie or token may be in use beside the owner.`,
    did: () => 'Nothing yet: the session still works. End it if the user does not recognise this.',
  },
  new_device_login: {
    title: 'Login from a new device',
    what: (details) =>
      `A login from ${shown(details['userAgentFamily'], 'a browser')} on network ${shown(details['ipPrefix'], 'unknown')}, which this user had never logged in from.`,
    did: () => 'Nothing: recorded for review. A new phone or laptop looks exactly like this.',
  },
  credential_stuffing: {
    title: 'Credential stuffing',
    what: (details) =>
      `${count(details['failures'], 'failed login')} on ${count(details['accounts'], 'account')} from one address.`,
    did: (details) => `Blocked the address for ${duration(details['blockSeconds'])}.`,
  },
};

function count(value: unknown, noun: string): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return `several ${noun}s`;
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function within(seconds: unknown): string {
  return typeof seconds === 'number' && seconds > 0 ? ` within ${duration(seconds)}` : '';
}

function duration(seconds: unknown): string {
  const s = typeof seconds === 'number' ? seconds : Number(seconds);
  if (!Number.isFinite(s)) return 'a while';
  if (s % 3600 === 0) return count(s / 3600, 'hour');
  if (s % 60 === 0) return count(s / 60, 'minute');
  return count(s, 'second');
}
