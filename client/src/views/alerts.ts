/**
 * Admin alerts: one card per alert, saying how serious it is, what happened, to whom, what Warden already
 * did, and what the admin can still do (end the user's sessions, clear a flag).
 */
import * as api from '../api';
import type { Alert } from '../api';
import { h, heading, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { formatDateTime } from '../format';
import type { ViewContext } from '../router';
import { describeUserAgent } from '../ua';
import { badge, button, card, loading, messageBox, whileBusy, type Tone } from '../ui';
import { RULES, type Details } from './alert-rules';

const SEVERITY: Record<string, { label: string; tone: Tone }> = {
  high: { label: 'High', tone: 'bad' },
  medium: { label: 'Medium', tone: 'warn' },
  low: { label: 'Low', tone: 'neutral' },
};

const PERIODS: [label: string, hours: number | null][] = [
  ['Last 24 hours', 24],
  ['Last 7 days', 24 * 7],
  ['Last 30 days', 24 * 30],
  ['All time', null],
];

export function alertsView(context: ViewContext): Node {
  const list = h('div', { class: 'alert-list', testid: 'alerts-list' }, loading());
  const message = messageBox('alerts-error');
  let cursor: string | null = null;

  const rule = choice('alerts-rule', 'Rule', [
    ['', 'All rules'],
    ...Object.entries(RULES).map(([name, text]): [string, string] => [name, text.title]),
  ]);
  const period = choice(
    'alerts-period',
    'Period',
    PERIODS.map(([label, hours]) => [hours === null ? '' : String(hours), label]),
  );
  period.select.value = String(24 * 7);

  const more = button('Load more', () => void whileBusy(more, 'Loading…', () => load(), list), {
    testid: 'alerts-next',
  });
  more.hidden = true;

  const filters = (): api.AlertFilters => {
    const hours = Number(period.select.value);
    return {
      rule: rule.select.value || undefined,
      since: hours ? new Date(Date.now() - hours * 3_600_000).toISOString() : undefined,
    };
  };

  const load = async (): Promise<void> => {
    message.clear();
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await api.alerts({ ...filters(), cursor }, context.signal);
      if (cursor === null) replaceChildren(list);
      if (page.items.length === 0 && cursor === null) {
        list.append(
          h(
            'p',
            { class: 'muted', testid: 'alerts-empty' },
            'No alerts for these filters. Suspicious patterns (refresh-token reuse, replayed tokens, login floods) show up here.',
          ),
        );
      }
      list.append(...page.items.map(alertCard));
      cursor = page.nextCursor;
      more.hidden = cursor === null;
    } catch (error) {
      if (context.signal.aborted) return;
      if (cursor === null) replaceChildren(list);
      message.error(describeError(error));
    } finally {
      list.removeAttribute('aria-busy');
    }
  };

  const reload = (): void => {
    cursor = null;
    void load();
  };
  rule.select.addEventListener('change', reload);
  period.select.addEventListener('change', reload);
  void load();

  return h(
    'div',
    { class: 'view', testid: 'view-alerts' },
    heading('Alerts'),
    h('p', { class: 'lead' }, 'What the detection rules saw, newest first, and what you can do about it.'),
    h(
      'form',
      { class: 'form filters alert-filters', testid: 'alerts-filters', 'aria-label': 'Filter the alerts' },
      h('div', { class: 'filter-grid' }, rule.row, period.row),
    ),
    message.el,
    list,
    h('div', { class: 'actions' }, more),
  );
}

function alertCard(alert: Alert): HTMLElement {
  const details: Details = alert.metadata ?? {};
  const text = RULES[alert.rule];
  const severity = SEVERITY[alert.severity] ?? { label: alert.severity || 'Unknown', tone: 'neutral' as Tone };
  const titleId = `alert-${alert.id}-title`;
  const device = alert.userAgent ? describeUserAgent(alert.userAgent).label : null;
  const actionMessage = messageBox(`alert-${alert.id}-message`);

  const did = h('dd', { testid: 'alert-did' }, text ? text.did(details) : 'Recorded it.');
  const flagNote = (): Node =>
    h('span', { class: 'flag-note', testid: 'alert-flag' }, ' Flagged the user for review. ', badge('flagged', 'warn'));
  if (alert.userFlag) did.append(flagNote());

  const actions = h('div', { class: 'actions' });
  if (alert.userId) {
    const who = alert.userEmail ?? 'this user';
    const revoke = button(
      'End all their sessions',
      () =>
        void whileBusy(revoke, 'Ending sessions…', async () => {
          actionMessage.clear();
          try {
            await api.revokeUserSessions(alert.userId as string);
            actionMessage.success(`Every session of ${who} has ended; they must log in again.`);
          } catch (error) {
            actionMessage.error(describeError(error));
          }
        }),
      { variant: 'danger', testid: 'alert-revoke' },
    );
    revoke.setAttribute('aria-describedby', titleId);
    actions.append(revoke);
    if (alert.userFlag) {
      const clear = button(
        'Clear the flag',
        () =>
          void whileBusy(clear, 'Clearing…', async () => {
            actionMessage.clear();
            try {
              await api.clearUserFlags(alert.userId as string);
              did
                .querySelector('[data-testid="alert-flag"]')
                ?.replaceWith(h('span', { testid: 'alert-flag-cleared' }, ' Flag cleared.'));
              actions.removeChild(clear);
              actionMessage.success(`${who} is no longer flagged.`);
              revoke.focus();
            } catch (error) {
              actionMessage.error(describeError(error));
            }
          }),
        { testid: 'alert-clear-flag' },
      );
      clear.setAttribute('aria-describedby', titleId);
      actions.append(clear);
    }
  }

  const section = card(
    h(
      'div',
      { class: 'alert-head' },
      badge(severity.label, severity.tone, 'alert-severity'),
      h('h2', { id: titleId, class: 'alert-title' }, text ? text.title : alert.rule),
      h('time', { class: 'muted', datetime: alert.createdAt }, formatDateTime(alert.createdAt, true)),
    ),
    h(
      'dl',
      { class: 'facts alert-facts' },
      h('dt', {}, 'What happened'),
      h('dd', { testid: 'alert-what' }, text ? text.what(details) : `The rule ${alert.rule} fired.`),
      h('dt', {}, 'Who'),
      h(
        'dd',
        { testid: 'alert-who' },
        alert.userEmail ?? (alert.userId ? `User ${alert.userId}` : 'No account (an address)'),
        alert.ip ? h('span', { class: 'muted' }, ` · from ${alert.ip}`) : null,
        device ? h('span', { class: 'muted' }, ` · ${device}`) : null,
      ),
      h('dt', {}, 'What Warden did'),
      did,
    ),
    actions.childElementCount ? actions : null,
    actionMessage.el,
  );
  section.setAttribute('aria-labelledby', titleId);
  section.dataset['testid'] = 'alert-item';
  section.dataset['alertId'] = alert.id;
  section.dataset['rule'] = alert.rule;
  section.classList.add('alert-card', `alert-${severity.tone}`);
  return section;
}

function choice(
  id: string,
  label: string,
  options: [value: string, text: string][],
): { row: HTMLElement; select: HTMLSelectElement } {
  const select = h(
    'select',
    { id, name: id, testid: id },
    options.map(([value, text]) => h('option', { value }, text)),
  );
  return { row: h('div', { class: 'field' }, h('label', { for: id }, label), select), select };
}
