import * as api from '../api';
import type { AuditEvent, AuditFilters } from '../api';
import { h, heading, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { formatDateTime, text } from '../format';
import type { ViewContext } from '../router';
import { describeUserAgent } from '../ua';
import { ApiError } from '../http';
import { field, markInvalid, submitButton } from '../forms';
import { badge, button, card, loading, messageBox, whileBusy } from '../ui';

const PAGE_SIZES = [25, 50, 100];

/** The event types the server records (src/*: audit.record calls), for the type filter. */
const EVENT_TYPES = [
  'login',
  'login_failed',
  'lockout_started',
  'lockout_ended',
  'register',
  'refresh',
  'refresh_failed',
  'refresh_token_reuse',
  'logout',
  'logout_all',
  'session_revoked',
  'access_token_rejected',
  'csrf_rejected',
  'password_changed',
  'password_change_failed',
  'new_device_login',
  'alert_raised',
  'user_flag_cleared',
  'role_changed',
  'key_rotated',
  'key_revoked',
];

export function auditView(context: ViewContext): Node {
  const type = {
    input: h(
      'select',
      { id: 'audit-type', name: 'type' },
      h('option', { value: '' }, 'All events'),
      EVENT_TYPES.map((name) => h('option', { value: name }, name)),
    ),
  };
  const typeRow = h('div', { class: 'field' }, h('label', { for: 'audit-type' }, 'Event type'), type.input);
  const userId = field({ id: 'audit-user', name: 'userId', label: 'User ID', required: false });
  const ip = field({ id: 'audit-ip', name: 'ip', label: 'IP address', required: false });
  const since = field({ id: 'audit-since', name: 'since', label: 'From', type: 'datetime-local', required: false });
  const until = field({ id: 'audit-until', name: 'until', label: 'Until', type: 'datetime-local', required: false });
  const limit = h(
    'select',
    { id: 'audit-limit', name: 'limit' },
    PAGE_SIZES.map((size) => h('option', { value: size }, String(size))),
  );
  const limitRow = h('div', { class: 'field' }, h('label', { for: 'audit-limit' }, 'Per page'), limit);

  const apply = submitButton('Apply filters', 'audit-apply');
  const reset = button(
    'Reset',
    () => {
      form.reset();
      void whileBusy(apply, 'Loading…', () => loadFirst(), results);
    },
    { testid: 'audit-reset' },
  );
  const form = h(
    'form',
    { class: 'form filters', testid: 'audit-filters', 'aria-label': 'Filter the audit log' },
    h('div', { class: 'filter-grid' }, typeRow, userId.row, ip.row, since.row, until.row, limitRow),
    h('div', { class: 'actions' }, apply, reset),
  );

  const message = messageBox('audit-error');
  // Wider than a phone: a labelled, focusable region that keyboard users can scroll, with a visible hint.
  const results = h('div', { class: 'table-wrap', role: 'region', 'aria-label': 'Audit events', tabindex: 0 });
  const pageLabel = h('span', { class: 'muted', testid: 'audit-page', 'aria-live': 'polite' });
  const prev = button('Previous page', () => void turn(-1), { testid: 'audit-prev' });
  const next = button('Next page', () => void turn(1), { testid: 'audit-next' });
  const first = button('First page', () => void turn(0), { testid: 'audit-first' });

  // cursors[i] is the cursor that fetches page i + 1; page 1 needs none.
  let cursors: (string | null)[] = [null];
  let page = 0;
  let nextCursor: string | null = null;
  let filters: AuditFilters = {};

  const readFilters = (): AuditFilters => ({
    type: type.input.value || undefined,
    userId: userId.input.value.trim() || undefined,
    ip: ip.input.value.trim() || undefined,
    since: toIso(since.input.value),
    until: toIso(until.input.value),
    limit: Number(limit.value),
  });

  const load = async (): Promise<void> => {
    message.clear();
    results.setAttribute('aria-busy', 'true');
    try {
      const result = await api.auditEvents({ ...filters, cursor: cursors[page] ?? undefined }, context.signal);
      nextCursor = result.nextCursor;
      markInvalid(form, []);
      replaceChildren(results, eventTable(result.items));
    } catch (error) {
      if (context.signal.aborted) return;
      nextCursor = null;
      replaceChildren(results);
      // A refused filter ("ip must be an ip address") is shown under its field, named by its label.
      const lines = describeError(error);
      message.error(error instanceof ApiError && error.status === 400 ? markInvalid(form, lines) : lines);
    } finally {
      results.removeAttribute('aria-busy');
      pageLabel.textContent = `Page ${page + 1}`;
      prev.disabled = page === 0;
      first.disabled = page === 0;
      next.disabled = nextCursor === null;
    }
  };

  const loadFirst = (): Promise<void> => {
    filters = readFilters();
    cursors = [null];
    page = 0;
    return load();
  };

  const turn = async (direction: -1 | 0 | 1): Promise<void> => {
    if (direction === 1 && nextCursor) {
      cursors[page + 1] = nextCursor;
      page += 1;
    } else if (direction === -1 && page > 0) {
      page -= 1;
    } else if (direction === 0) {
      page = 0;
    } else {
      return;
    }
    await load();
    results.querySelector<HTMLElement>('table')?.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(apply, 'Loading…', () => loadFirst(), results);
  });

  replaceChildren(results, loading());
  void loadFirst();

  return h(
    'div',
    { class: 'view', testid: 'view-audit' },
    heading('Audit log'),
    h('p', { class: 'lead' }, 'Every login, refresh, logout and refusal, with the reason the client was not told.'),
    card(form),
    message.el,
    card(
      h('p', { class: 'hint scroll-hint' }, 'Scroll the table sideways for more columns.'),
      results,
      h('div', { class: 'pager' }, pageLabel, h('div', { class: 'pager-buttons' }, first, prev, next)),
    ),
  );
}

function eventTable(items: AuditEvent[]): Node {
  if (items.length === 0) return h('p', { class: 'muted', testid: 'audit-empty' }, 'No events match these filters.');
  return h(
    'table',
    { class: 'table table-dense', testid: 'audit-table', tabindex: -1 },
    h('caption', { class: 'visually-hidden' }, 'Audit events, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Time', 'Event', 'Result', 'User', 'Session', 'IP', 'Device', 'Reason'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    h('tbody', {}, items.map(eventRow)),
  );
}

function eventRow(event: AuditEvent): HTMLTableRowElement {
  const device = describeUserAgent(event.userAgent);
  return h(
    'tr',
    {
      testid: 'audit-row',
      'data-event-id': text(event.id, ''),
      'data-type': text(event.type, ''),
      'data-user-id': text(event.userId, ''),
      'data-success': String(event.success === true),
    },
    h(
      'td',
      { class: 'nowrap' },
      h('time', { datetime: text(event.createdAt, '') }, formatDateTime(event.createdAt, true)),
    ),
    h('td', {}, h('code', {}, text(event.type))),
    h('td', {}, resultBadge(event)),
    h('td', {}, shortId(event.userId)),
    h('td', {}, shortId(event.sessionId)),
    h('td', { class: 'nowrap' }, h('code', {}, text(event.ip))),
    h('td', { title: text(event.userAgent, '') }, event.userAgent ? device.label : '—'),
    h('td', { class: 'cell-reason' }, text(event.reason)),
  );
}

/** An alert is neither a success nor a failure: it says how serious it is (GET /api/admin/alerts has the rest). */
function resultBadge(event: AuditEvent): Node {
  if (event.type === 'alert_raised') return badge('alert', 'warn');
  return event.success ? badge('success', 'good') : badge('failure', 'bad');
}

function shortId(value: unknown): Node {
  const full = text(value, '');
  if (!full) return document.createTextNode('—');
  return h('code', { title: full }, full.length > 10 ? `${full.slice(0, 8)}…` : full);
}

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
