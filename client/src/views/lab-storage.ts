/**
 * Security lab, the one demonstration that needs no account: what an injected script could read from this
 * page (document.cookie, localStorage, sessionStorage), searched for anything token-like.
 */
import { h } from '../dom';
import * as session from '../session';
import type { Demo, Outcome } from './lab-row';

const JWT_LIKE = /eyJ[\w-]+\.[\w-]+\./;
const LONG_TOKEN = /[A-Za-z0-9_\-+/=%]{32,}/;
const PROTECTED_COOKIE = /^__(Host|Secure)-/;

export const storageDemo: Demo = {
  name: 'storage',
  title: 'Tokens are out of reach of page scripts',
  threat:
    'An injected script (XSS) reads tokens from localStorage, sessionStorage or document.cookie and sends them to the attacker, who replays them from anywhere.',
  defense:
    'The access, fingerprint and refresh tokens are HttpOnly cookies: the browser sends them, scripts cannot read them. The page keeps only a CSRF token, in memory.',
  needsSession: false,
  run: () => Promise.resolve(inspectStorage()),
};

function inspectStorage(): Outcome {
  const cookies = document.cookie
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? { name: '', value: pair } : { name: pair.slice(0, at), value: pair.slice(at + 1) };
    });
  const local = dumpStorage(() => window.localStorage);
  const sessionStore = dumpStorage(() => window.sessionStorage);

  const findings: string[] = [];
  const inspect = (where: string, value: string): void => {
    if (JWT_LIKE.test(value)) findings.push(`${where} holds something that looks like a JWT.`);
    else if (LONG_TOKEN.test(value)) findings.push(`${where} holds a long random-looking token.`);
  };
  for (const { name, value } of cookies) {
    // The one readable cookie: "1" while a session exists, so a page load without one skips the refresh.
    if (name === session.SESSION_HINT_COOKIE && value === '1') continue;
    if (PROTECTED_COOKIE.test(name)) findings.push(`document.cookie exposes ${name}: it should be HttpOnly.`);
    inspect(`Cookie ${name || '(unnamed)'}`, value);
  }
  for (const [key, value] of Object.entries(local)) inspect(`localStorage["${key}"]`, `${key} ${value}`);
  for (const [key, value] of Object.entries(sessionStore)) inspect(`sessionStorage["${key}"]`, `${key} ${value}`);

  const note =
    findings.length > 0
      ? h(
          'ul',
          { class: 'findings' },
          findings.map((finding) => h('li', {}, finding)),
        )
      : h(
          'p',
          { class: 'muted' },
          'Nothing token-like. The __Host-access, __Host-fgp and __Secure-refresh cookies are sent with every request, yet document.cookie does not list them: they are HttpOnly. (__Host-session-hint=1 only says a session exists.)',
        );
  return {
    verdict: findings.length > 0 ? 'accepted' : 'refused',
    request: { readByThisPage: ['document.cookie', 'localStorage', 'sessionStorage'] },
    response: {
      'document.cookie': document.cookie,
      localStorage: truncateValues(local),
      sessionStorage: truncateValues(sessionStore),
    },
    note,
  };
}

function dumpStorage(open: () => Storage): Record<string, string> {
  try {
    const storage = open();
    const entries: Record<string, string> = {};
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key !== null) entries[key] = storage.getItem(key) ?? '';
    }
    return entries;
  } catch {
    return {}; // storage disabled by the browser: nothing to steal either
  }
}

function truncateValues(entries: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries).map(([key, value]) => [key, value.length > 120 ? `${value.slice(0, 120)}…` : value]),
  );
}
