/**
 * Security lab, Device Bound Session Credentials: where the browser registered a key, the key and the
 * short-lived cookie it keeps earning with it; where it did not, a plain statement that the fingerprint
 * cookie binds the session.
 */
import * as api from '../api';
import { h, json, replaceChildren } from '../dom';
import { codePane, failure } from './lab-row';

const ID = 'lab-dbsc';

const DBSC_UNSUPPORTED = 'Your browser does not support DBSC; this session uses the fingerprint cookie.';

export function dbscPanel(loggedIn: boolean, signal: AbortSignal): HTMLElement {
  const body = h('div', { testid: `${ID}-body` });
  const el = h(
    'section',
    { class: 'card lab-row', testid: ID, 'aria-labelledby': `${ID}-title` },
    h('div', { class: 'lab-head' }, h('h2', { id: `${ID}-title` }, 'Session bound to a key in this device (DBSC)')),
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
    (status) => replaceChildren(body, dbscStatus(status)),
    (error: unknown) => replaceChildren(body, failure(ID, error)),
  );
  return el;
}

function dbscStatus(status: api.DbscStatus): Node {
  if (!status.registered) {
    const text = status.enabled
      ? DBSC_UNSUPPORTED
      : 'DBSC is off on this server (DBSC_COOKIE_TTL=0); this session uses the fingerprint cookie.';
    return h('p', { class: 'callout', testid: `${ID}-unsupported` }, text);
  }
  const { boundCookie } = status;
  return h(
    'div',
    { testid: `${ID}-registered` },
    h(
      'p',
      { class: 'callout callout-good' },
      `This session is bound to a ${status.algorithm} key held by this browser (JWK thumbprint ${status.thumbprint}).`,
    ),
    h('h3', {}, 'Public key'),
    codePane('DBSC public key', json(status.publicKey), `${ID}-key`),
    h(
      'p',
      { testid: `${ID}-cookie` },
      `${boundCookie.name} lives ${boundCookie.lifetimeSeconds} s; `,
      boundCookie.expiresAt
        ? `the current one expires at ${new Date(boundCookie.expiresAt).toLocaleTimeString()}.`
        : 'none is held right now: the browser earns the next one by signing a challenge.',
    ),
  );
}
