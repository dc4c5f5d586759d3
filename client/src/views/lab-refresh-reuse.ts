/**
 * Security lab, refresh-token reuse (destructive): the server rotates the reader's refresh token, then
 * presents the spent one again, which revokes the whole session. Confirmed first, run last.
 */
import * as api from '../api';
import { h, json, replaceChildren } from '../dom';
import { send } from '../http';
import * as session from '../session';
import { button, whileBusy } from '../ui';
import { announceVerdict, codePane, failure, statusBadge, verdictBadge, type Announce, type Verdict } from './lab-row';

export function refreshReuseRow(loggedIn: boolean, announce: Announce): HTMLElement {
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
