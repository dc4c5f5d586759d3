/**
 * Security lab: each row performs one attack against the reader's own session and shows what the server
 * answered. "refused" (green) means the defense held.
 */
import * as api from '../api';
import { h, heading, json, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { ApiError, send } from '../http';
import type { ViewContext } from '../router';
import * as session from '../session';
import { badge, button, whileBusy } from '../ui';
import { dpopRow } from './lab-dpop';

type Verdict = 'refused' | 'accepted';

interface Outcome {
  verdict: Verdict | null;
  request: unknown;
  response: unknown;
  note?: Node;
}

interface Demo {
  name: string;
  title: string;
  threat: string;
  defense: string;
  needsSession: boolean;
  run(): Promise<Outcome>;
}

interface DemoRow {
  el: HTMLElement;
  runnable: boolean;
  run(): Promise<void>;
}

export const LAB_DISABLED = 'The lab is disabled on this server (enable with LAB_ENABLED=true or NODE_ENV=development)';

const JWT_LIKE = /eyJ[\w-]+\.[\w-]+\./;
const LONG_TOKEN = /[A-Za-z0-9_\-+/=%]{32,}/;
const PROTECTED_COOKIE = /^__(Host|Secure)-/;

const DEMOS: Demo[] = [
  {
    name: 'storage',
    title: 'Tokens are out of reach of page scripts',
    threat:
      'An injected script (XSS) reads tokens from localStorage, sessionStorage or document.cookie and sends them to the attacker, who replays them from anywhere.',
    defense:
      'The access, fingerprint and refresh tokens are HttpOnly cookies: the browser sends them, scripts cannot read them. The page keeps only a CSRF token, in memory.',
    needsSession: false,
    run: () => Promise.resolve(inspectStorage()),
  },
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

export function labView(context: ViewContext): Node {
  const loggedIn = session.authState() === 'logged-in';
  const rows = DEMOS.map((demo) => demoRow(demo, loggedIn, context.announce));
  const runAll = button(
    'Run all safe demos',
    () =>
      void whileBusy(runAll, 'Running…', async () => {
        for (const row of rows) if (row.runnable && !context.signal.aborted) await row.run();
      }),
    { variant: 'primary', testid: 'lab-run-all' },
  );

  return h(
    'div',
    { class: 'view', testid: 'view-lab' },
    heading('Security lab'),
    h(
      'p',
      { class: 'lead' },
      "Each demonstration attacks your own session and shows the request and the server's answer. ",
      badge('refused', 'good'),
      ' means the defense worked; ',
      badge('accepted', 'bad'),
      ' means the attack got through.',
    ),
    loggedIn
      ? null
      : h(
          'p',
          { class: 'callout', testid: 'lab-login-hint' },
          'The storage check runs without an account. ',
          h('a', { href: '#/login' }, 'Log in'),
          ' to run the attacks against a real session.',
        ),
    dbscPanel(loggedIn, context.signal),
    h('div', { class: 'actions' }, runAll),
    rows.map((row) => row.el),
    dpopRow(loggedIn, context.announce),
    refreshReuseRow(loggedIn, context.announce),
    h(
      'p',
      { class: 'callout' },
      'Mailed links: ',
      h(
        'a',
        { href: '#/lab/reset-links', testid: 'lab-to-reset-links' },
        'a password-reset link works once and dies when a newer one is sent',
      ),
      '.',
    ),
  );
}

const DBSC_UNSUPPORTED = 'Your browser does not support DBSC; this session uses the fingerprint cookie.';

/**
 * Device Bound Session Credentials: where the browser registered a key, the key and the short-lived cookie
 * it keeps earning with it; where it did not, a plain statement that the fingerprint cookie binds the session.
 */
function dbscPanel(loggedIn: boolean, signal: AbortSignal): HTMLElement {
  const id = 'lab-dbsc';
  const body = h('div', { testid: `${id}-body` });
  const el = h(
    'section',
    { class: 'card lab-row', testid: id, 'aria-labelledby': `${id}-title` },
    h('div', { class: 'lab-head' }, h('h2', { id: `${id}-title` }, 'Session bound to a key in this device (DBSC)')),
    h(
      'p',
      {},
      h('strong', {}, 'Threat. '),
      'Malware copies every cookie out of the browser and replays them from its own machine.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Defense. '),
      'With Device Bound Session Credentials the browser keeps a private key (in the TPM where there is one). Warden issues a cookie that lives only minutes; to get the next one the browser must sign a fresh challenge with the key, which the copied cookies do not include.',
    ),
    body,
  );
  if (!loggedIn) {
    replaceChildren(body, h('p', { class: 'muted' }, 'Log in to see how this session is bound.'));
    return el;
  }
  replaceChildren(body, h('p', { class: 'muted' }, 'Checking…'));
  api.labDbsc(signal).then(
    (status) => replaceChildren(body, dbscStatus(id, status)),
    (error: unknown) => replaceChildren(body, failure(id, error)),
  );
  return el;
}

function dbscStatus(id: string, status: api.DbscStatus): Node {
  if (!status.registered) {
    const text = status.enabled
      ? DBSC_UNSUPPORTED
      : 'DBSC is off on this server (DBSC_COOKIE_TTL=0); this session uses the fingerprint cookie.';
    return h('p', { class: 'callout', testid: `${id}-unsupported` }, text);
  }
  const { boundCookie } = status;
  return h(
    'div',
    { testid: `${id}-registered` },
    h(
      'p',
      { class: 'callout callout-good' },
      `This session is bound to a ${status.algorithm} key held by this browser (JWK thumbprint ${status.thumbprint}).`,
    ),
    h('h3', {}, 'Public key'),
    codePane('DBSC public key', json(status.publicKey), `${id}-key`),
    h(
      'p',
      { testid: `${id}-cookie` },
      `${boundCookie.name} lives ${boundCookie.lifetimeSeconds} s; `,
      boundCookie.expiresAt
        ? `the current one expires at ${new Date(boundCookie.expiresAt).toLocaleTimeString()}.`
        : 'none is held right now: the browser earns the next one by signing a challenge.',
    ),
  );
}

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

/** Only the verdict is announced (through the page's status region), never the JSON of the exchange. */
type Announce = ViewContext['announce'];

function announceVerdict(announce: Announce, title: string, verdict: Verdict): void {
  announce(`${title}: ${verdict === 'refused' ? 'refused, the defense worked' : 'accepted, the attack got through'}.`);
}

function demoRow(demo: Demo, loggedIn: boolean, announce: Announce): DemoRow {
  const id = `lab-${demo.name}`;
  const verdictSlot = h('div', { class: 'verdict-slot' });
  const result = h('div', { class: 'lab-result' });
  const runnable = loggedIn || !demo.needsSession;

  const run = async (): Promise<void> => {
    replaceChildren(verdictSlot);
    replaceChildren(result);
    try {
      const outcome = await demo.run();
      if (outcome.verdict) replaceChildren(verdictSlot, verdictBadge(id, outcome.verdict));
      replaceChildren(result, exchange(id, demo.title, outcome));
      if (outcome.verdict) announceVerdict(announce, demo.title, outcome.verdict);
    } catch (error) {
      replaceChildren(result, failure(id, error));
    }
  };

  const runButton = button('Run', () => void whileBusy(runButton, 'Running…', run, el), { testid: `${id}-run` });
  runButton.setAttribute('aria-describedby', `${id}-title`);
  const el = h(
    'section',
    { class: 'card lab-row', testid: id, 'aria-labelledby': `${id}-title` },
    h('div', { class: 'lab-head' }, h('h2', { id: `${id}-title` }, demo.title), verdictSlot),
    h('p', {}, h('strong', {}, 'Threat. '), demo.threat),
    h('p', {}, h('strong', {}, 'Defense. '), demo.defense),
    runnable
      ? h('div', { class: 'actions' }, runButton)
      : h('p', { class: 'muted' }, 'Log in to run this demonstration.'),
    result,
  );
  return { el, runnable, run };
}

function refreshReuseRow(loggedIn: boolean, announce: Announce): HTMLElement {
  const id = 'lab-refresh-reuse';
  const title = 'Stolen refresh token, replayed after use';
  const verdictSlot = h('div', { class: 'verdict-slot' });
  const result = h('div', { class: 'lab-result' });
  const controls = h('div', { class: 'actions' });
  // Escape backs out of the confirmation, like any dialog.
  controls.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && controls.contains(cancel)) cancel.click();
  });

  const start = button('Run…', () => askToConfirm(), { variant: 'danger', testid: `${id}-run` });
  const confirm = button('Yes, replay the spent token', () => void whileBusy(confirm, 'Running…', run, el), {
    variant: 'danger',
    testid: `${id}-confirm`,
  });
  const cancel = button(
    'Cancel',
    () => {
      replaceChildren(controls, start);
      start.focus();
    },
    { testid: `${id}-cancel` },
  );

  const askToConfirm = (): void => {
    replaceChildren(
      controls,
      h(
        'p',
        { class: 'confirm-text', testid: `${id}-warning` },
        'This ends your session in every tab of this browser. Continue?',
      ),
      confirm,
      cancel,
    );
    confirm.focus();
  };

  const run = async (): Promise<void> => {
    replaceChildren(verdictSlot);
    replaceChildren(result);
    // The demonstration kills the session on purpose: a timer-driven refresh in between would only
    // confuse the picture (and log this tab out before the reader has seen the result).
    session.pauseRefresh();
    let steps: api.ReuseStep[];
    try {
      steps = await api.labRefreshReuse();
    } catch (error) {
      session.resumeRefresh();
      replaceChildren(result, failure(id, error));
      replaceChildren(controls, start);
      return;
    }
    const last = steps.at(-1);
    const verdict: Verdict = last?.status === 401 ? 'refused' : 'accepted';
    replaceChildren(verdictSlot, verdictBadge(id, verdict));
    announceVerdict(announce, title, verdict);

    // Without the automatic refresh-and-retry: the point is to see the plain 401.
    const check = await send('GET', '/api/users/me').catch(() => null);
    const killed = check?.status === 401;
    const back = button('Back to login', () => session.end('killed'), { variant: 'primary', testid: `${id}-done` });
    replaceChildren(
      result,
      h(
        'ol',
        { class: 'steps', testid: `${id}-steps` },
        steps.map((step) =>
          h(
            'li',
            { testid: `${id}-step`, 'data-status': String(step.status) },
            h('div', { class: 'step-head' }, h('span', {}, String(step.label)), statusBadge(step.status)),
            codePane(`Answer to ${step.label}`, json(step.body)),
          ),
        ),
      ),
      h(
        'p',
        { class: killed ? 'callout callout-good' : 'callout callout-bad', testid: `${id}-check` },
        killed
          ? 'The session was killed: GET /api/users/me now answers 401. Reusing a spent refresh token revoked the whole session, the newest refresh token and its access tokens included.'
          : `GET /api/users/me answered ${check ? check.status : 'nothing'}: the session survived the reuse.`,
      ),
    );
    if (killed) {
      // After the step results, where the reader's eyes end up.
      replaceChildren(controls);
      result.append(h('div', { class: 'actions' }, back));
      back.focus();
    } else {
      session.resumeRefresh();
      replaceChildren(controls, start);
    }
  };

  replaceChildren(controls, loggedIn ? start : h('p', { class: 'muted' }, 'Log in to run this demonstration.'));
  const el = h(
    'section',
    { class: 'card lab-row lab-row-destructive', testid: id, 'aria-labelledby': `${id}-title` },
    h('div', { class: 'lab-head' }, h('h2', { id: `${id}-title` }, title), verdictSlot),
    h(
      'p',
      { class: 'callout callout-warn' },
      h('strong', {}, 'Destructive. '),
      'This one ends your session on purpose. Run it last.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Threat. '),
      'An attacker copies a refresh token and uses it to mint access tokens for as long as the refresh token lives.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Defense. '),
      'Refresh tokens rotate on every use. The server rotates yours, then presents the spent one again: a spent token can only be in two hands, so the server revokes the whole session (OWASP, "Refresh token rotation"; RFC 9700 §4.14.2).',
    ),
    controls,
    result,
  );
  return el;
}

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

function verdictBadge(id: string, verdict: Verdict): Node {
  return h(
    'span',
    { class: 'verdict' },
    h(
      'span',
      { class: `badge badge-${verdict === 'refused' ? 'good' : 'bad'} badge-verdict`, testid: `${id}-verdict` },
      verdict,
    ),
    h(
      'span',
      { class: 'visually-hidden' },
      verdict === 'refused' ? ': the defense worked.' : ': the attack got through.',
    ),
  );
}

function statusBadge(status: number): Node {
  return badge(
    String(status),
    status >= 200 && status < 300 ? 'good' : status === 401 || status === 403 ? 'warn' : 'neutral',
  );
}

function exchange(id: string, title: string, outcome: Outcome): Node {
  return h(
    'div',
    { class: 'exchange' },
    h('h3', {}, 'Request'),
    codePane(`Request: ${title}`, json(outcome.request), `${id}-request`),
    h('h3', {}, 'Answer'),
    codePane(`Answer: ${title}`, json(outcome.response), `${id}-response`),
    outcome.note ?? null,
  );
}

/** A JSON pane shown whole (never a clipped scroll box); focusable and labelled should it still scroll sideways. */
function codePane(label: string, text: string, testid?: string): HTMLPreElement {
  return h('pre', { class: 'code code-full', testid, tabindex: 0, role: 'region', 'aria-label': label }, text);
}

function failure(id: string, error: unknown): Node {
  const text = error instanceof ApiError && error.status === 404 ? LAB_DISABLED : describeError(error).join(' ');
  return h('p', { class: 'callout callout-bad', testid: `${id}-error` }, text);
}
