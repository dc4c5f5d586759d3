/**
 * Security lab, the parts every row shares: what a demonstration returns, how its verdict is shown and
 * announced, and the request/answer panes.
 */
import { h, json, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import type { ViewContext } from '../router';
import { badge, button, whileBusy } from '../ui';

export type Verdict = 'refused' | 'accepted';

export interface Outcome {
  verdict: Verdict | null;
  request: unknown;
  response: unknown;
  note?: Node;
}

export interface Demo {
  name: string;
  title: string;
  threat: string;
  defense: string;
  needsSession: boolean;
  run(): Promise<Outcome>;
}

export interface DemoRow {
  el: HTMLElement;
  runnable: boolean;
  run(): Promise<void>;
}

const LAB_DISABLED = 'The lab is disabled on this server (enable with LAB_ENABLED=true or NODE_ENV=development)';

/** Only the verdict is announced (through the page's status region), never the JSON of the exchange. */
export type Announce = ViewContext['announce'];

export function announceVerdict(announce: Announce, title: string, verdict: Verdict): void {
  announce(`${title}: ${verdict === 'refused' ? 'refused, the defense worked' : 'accepted, the attack got through'}.`);
}

export function demoRow(demo: Demo, loggedIn: boolean, announce: Announce): DemoRow {
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

export function verdictBadge(id: string, verdict: Verdict): Node {
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

export function statusBadge(status: number): Node {
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
export function codePane(label: string, text: string, testid?: string): HTMLPreElement {
  return h('pre', { class: 'code code-full', testid, tabindex: 0, role: 'region', 'aria-label': label }, text);
}

export function failure(id: string, error: unknown): Node {
  const text = error instanceof ApiError && error.status === 404 ? LAB_DISABLED : describeError(error).join(' ');
  return h('p', { class: 'callout callout-bad', testid: `${id}-error` }, text);
}
