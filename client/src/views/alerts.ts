import * as api from '../api';
import type { Alert } from '../api';
import { h, heading, json, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { formatDateTime, text } from '../format';
import type { ViewContext } from '../router';
import { badge, button, card, loading, messageBox, whileBusy } from '../ui';

/** Fields given a place of their own; anything else an alert carries is listed after them. */
const KNOWN = new Set(['id', 'type', 'createdAt', 'reason', 'metadata', 'severity']);

export function alertsView(context: ViewContext): Node {
  const list = h('div', { class: 'alert-list', testid: 'alerts-list' }, loading());
  const message = messageBox('alerts-error');
  let cursor: string | null = null;

  const more = button('Load more', () => void whileBusy(more, 'Loading…', () => load(), list), {
    testid: 'alerts-next',
  });
  more.hidden = true;

  const load = async (): Promise<void> => {
    message.clear();
    try {
      const page = await api.alerts(cursor, context.signal);
      if (cursor === null) replaceChildren(list);
      if (page.items.length === 0 && cursor === null) {
        list.append(
          h(
            'p',
            { class: 'muted', testid: 'alerts-empty' },
            'No alerts. Suspicious patterns (refresh-token reuse, login bursts) show up here.',
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
    }
  };

  void load();

  return h(
    'div',
    { class: 'view', testid: 'view-alerts' },
    heading('Alerts'),
    h('p', { class: 'lead' }, 'Events the server considers suspicious, newest first.'),
    message.el,
    list,
    h('div', { class: 'actions' }, more),
  );
}

function alertCard(alert: Alert): Node {
  const extra = Object.entries(alert).filter(([key]) => !KNOWN.has(key));
  const severity = text(alert['severity'], '');
  const section = card(
    h(
      'div',
      { class: 'alert-head' },
      h('h2', { class: 'alert-type' }, h('code', {}, text(alert['type'], 'alert'))),
      severity ? badge(severity, severity === 'high' || severity === 'critical' ? 'bad' : 'warn') : null,
      h('time', { class: 'muted', datetime: text(alert['createdAt'], '') }, formatDateTime(alert['createdAt'], true)),
    ),
    alert['reason'] !== undefined ? h('p', {}, text(alert['reason'])) : null,
    extra.length
      ? h(
          'dl',
          { class: 'facts facts-compact' },
          extra.flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, h('code', {}, text(value)))]),
        )
      : null,
    alert['metadata'] !== undefined && alert['metadata'] !== null
      ? h('pre', { class: 'code', 'aria-label': 'Metadata' }, json(alert['metadata']))
      : null,
  );
  section.dataset['testid'] = 'alert-item';
  section.dataset['alertId'] = text(alert['id'], '');
  return section;
}
