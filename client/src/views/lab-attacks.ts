/**
 * Security lab, the attacks the server plays against the reader's own session: a token replayed unsigned,
 * from another browser, or without its fingerprint cookie, and a forged cross-site logout.
 */
import * as api from '../api';
import { h } from '../dom';
import { send } from '../http';
import type { Demo, Outcome, Verdict } from './lab-row';

export const attackDemos: Demo[] = [
  replayDemo(
    'alg-none',
    'Unsigned token ("alg": "none")',
    'An attacker edits the claims of a token (roles: ["admin"]) and declares it unsigned, hoping the server trusts the algorithm the token names.',
    'The verifier picks the algorithm from its own key for the token\'s kid (RFC 8725 §3.1); "none" is never accepted.',
  ),
  replayDemo(
    'other-user-agent',
    'Stolen token replayed from another browser',
    "A token copied out of this browser (malware, a leaked log) is replayed by the attacker's client.",
    'The token carries a fingerprint: an HMAC of the __Host-fgp cookie and the User-Agent. A different User-Agent no longer matches it.',
  ),
  replayDemo(
    'no-fingerprint-cookie',
    'Stolen token without its fingerprint cookie',
    'The attacker holds the access token but not the separate HttpOnly fingerprint cookie that was issued with it.',
    'Without __Host-fgp the fingerprint in the token cannot be matched (OWASP JWT Cheat Sheet, "Token Sidejacking").',
  ),
  {
    name: 'csrf',
    title: 'Cross-site request forgery',
    threat:
      'Another site makes your browser post to Warden; the browser attaches your cookies, so the request would run as you (here: log out every device).',
    defense:
      "SameSite=Strict keeps the cookies off cross-site requests. As a second layer, every unsafe request must echo the session's CSRF token in X-CSRF-Token, which another site cannot read. This page sends the request without it.",
    needsSession: true,
    run: forgeLogoutAll,
  },
];

function replayDemo(attack: api.ReplayAttack, title: string, threat: string, defense: string): Demo {
  return {
    name: attack,
    title,
    threat,
    defense,
    needsSession: true,
    run: async () => {
      const result = await api.labReplay(attack);
      return {
        verdict: result.response?.status === 401 ? 'refused' : 'accepted',
        request: {
          sentByThisPage: { method: 'POST', path: '/api/auth/lab/replay', body: { attack } },
          replayedByTheServer: result.request,
        },
        response: result.response,
      };
    },
  };
}

async function forgeLogoutAll(): Promise<Outcome> {
  // Make sure the access token is fresh first, so a 401 for an expired token cannot pass for a refusal.
  await api.me();
  const attempt = await send('POST', '/api/auth/logout-all'); // deliberately without X-CSRF-Token
  const check = await send('GET', '/api/users/me').catch(() => null);
  const email =
    check?.ok && check.body && typeof check.body === 'object' ? (check.body as { email?: unknown }).email : undefined;
  const verdict: Verdict | null = attempt.status === 403 ? 'refused' : attempt.ok ? 'accepted' : null;
  return {
    verdict,
    request: {
      method: 'POST',
      path: '/api/auth/logout-all',
      headers: { 'X-CSRF-Token': '(not sent)' },
      cookies: 'attached by the browser',
    },
    response: { status: attempt.status, body: attempt.body ?? null },
    note: h(
      'p',
      { class: check?.ok ? 'callout callout-good' : 'callout callout-bad', testid: 'lab-csrf-check' },
      check?.ok
        ? `Still logged in: GET /api/users/me → ${check.status}${typeof email === 'string' ? ` (${email})` : ''}.`
        : `GET /api/users/me → ${check ? check.status : 'no answer'}: the forged request ended the session.`,
    ),
  };
}
