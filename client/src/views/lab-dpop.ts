/**
 * Security lab, DPoP (RFC 9449): the server plays a DPoP client logging in as you, then a thief who holds
 * its access token and one captured proof, but not its private key.
 */
import * as api from '../api';
import { h, json, replaceChildren } from '../dom';
import { describeError } from '../errors';
import type { ViewContext } from '../router';
import { field } from '../forms';
import { badge, button, whileBusy } from '../ui';

const ID = 'lab-dpop';

const TITLE = 'Stolen DPoP-bound token, and a replayed proof';

/** `announce` speaks the verdict through the page's status region, never the JSON of the steps. */
export function dpopRow(loggedIn: boolean, announce: ViewContext['announce']): HTMLElement {
  const verdictSlot = h('div', { class: 'verdict-slot' });
  const result = h('div', { class: 'lab-result', 'aria-live': 'polite' });
  const password = field({
    id: `${ID}-password`,
    name: 'password',
    label: 'Your password (the demo logs in once more, as a DPoP client)',
    type: 'password',
    autocomplete: 'current-password',
  });

  const run = async (): Promise<void> => {
    replaceChildren(verdictSlot);
    replaceChildren(result);
    let steps: api.ReuseStep[];
    try {
      steps = await api.labDpop(password.input.value);
    } catch (error) {
      replaceChildren(
        result,
        h('p', { class: 'callout callout-bad', testid: `${ID}-error` }, describeError(error).join(' ')),
      );
      return;
    } finally {
      password.input.value = '';
    }
    const statuses = steps.map((step) => step.status);
    const held =
      statuses.length === 5 &&
      statuses.slice(0, 2).every((s) => s === 200) &&
      statuses.slice(2).every((s) => s === 401);
    if (statuses.length === 5) {
      announce(`${TITLE}: ${held ? 'refused, the defense worked' : 'accepted, the attack got through'}.`);
    }
    replaceChildren(
      verdictSlot,
      statuses.length === 5
        ? badge(held ? 'refused' : 'accepted', held ? 'good' : 'bad', `${ID}-verdict`)
        : badge('login failed', 'warn', `${ID}-verdict`),
    );
    replaceChildren(
      result,
      h(
        'ol',
        { class: 'steps', testid: `${ID}-steps` },
        steps.map((step) =>
          h(
            'li',
            { testid: `${ID}-step`, 'data-status': String(step.status) },
            h(
              'div',
              { class: 'step-head' },
              h('span', {}, step.label),
              badge(String(step.status), step.status === 200 ? 'good' : 'warn'),
            ),
            h('pre', { class: 'code' }, json(step.body)),
          ),
        ),
      ),
    );
  };

  const runButton = button('Run', () => void whileBusy(runButton, 'Running…', run, el), { testid: `${ID}-run` });
  const el = h(
    'section',
    { class: 'card lab-row', testid: ID, 'aria-labelledby': `${ID}-title` },
    h('div', { class: 'lab-head' }, h('h2', { id: `${ID}-title` }, TITLE), verdictSlot),
    h(
      'p',
      {},
      h('strong', {}, 'Threat. '),
      'An API client’s access token leaks (a log, a proxy, malware) and the thief replays it, or replays a whole request, proof included.',
    ),
    h(
      'p',
      {},
      h('strong', {}, 'Defense. '),
      'A client that logs in with a DPoP proof (RFC 9449) gets a token bound to its key (cnf.jkt). Every request needs a fresh proof signed by that key, naming the method, the URL and the token; each proof is accepted once.',
    ),
    loggedIn
      ? h('div', { class: 'actions' }, password.row, runButton)
      : h('p', { class: 'muted' }, 'Log in to run this demonstration.'),
    result,
  );
  return el;
}
