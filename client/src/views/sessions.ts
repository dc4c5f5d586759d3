import * as api from '../api';
import type { SessionInfo } from '../api';
import { h, heading, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import type { ViewContext } from '../router';
import { describeUserAgent } from '../ua';
import { badge, button, card, loading, messageBox, timeEl, whileBusy } from '../ui';

export function sessionsView(context: ViewContext): Node {
  const list = h('div', { class: 'table-wrap', 'aria-busy': 'true' }, loading());
  const message = messageBox('sessions-error');

  const load = async (): Promise<void> => {
    list.setAttribute('aria-busy', 'true');
    try {
      const sessions = await api.listSessions(context.signal);
      replaceChildren(list, sessionTable(sessions));
    } catch (error) {
      if (context.signal.aborted) return;
      replaceChildren(list);
      message.error(describeError(error));
    } finally {
      list.removeAttribute('aria-busy');
    }
  };

  const sessionTable = (sessions: SessionInfo[]): Node => {
    if (sessions.length === 0) return h('p', { class: 'muted', testid: 'sessions-empty' }, 'No active sessions.');
    const ordered = [...sessions].sort(
      (a, b) =>
        Number(b.current) - Number(a.current) ||
        String(b.lastUsedAt ?? b.createdAt).localeCompare(String(a.lastUsedAt ?? a.createdAt)),
    );
    return h(
      'table',
      { class: 'table table-stack', testid: 'sessions-table' },
      h('caption', { class: 'visually-hidden' }, 'Your active sessions'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Device', 'IP address', 'Signed in', 'Last used'].map((title) => h('th', { scope: 'col' }, title)),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
        ),
      ),
      h('tbody', {}, ordered.map(row)),
    );
  };

  const row = (info: SessionInfo): HTMLTableRowElement => {
    const device = describeUserAgent(info.userAgent);
    const tr = h('tr', {
      testid: 'session-row',
      'data-session-id': String(info.id),
      'data-current': String(info.current),
    });
    const action = info.current
      ? button('Log out', () => void whileBusy(action, 'Logging out…', () => logOutHere()), {
          testid: 'session-logout',
        })
      : button('Revoke', () => void whileBusy(action, 'Revoking…', () => revoke(info, tr)), {
          variant: 'danger',
          testid: 'session-revoke',
        });
    action.setAttribute('aria-label', info.current ? 'Log out of this device' : `Revoke session on ${device.label}`);
    tr.append(
      h(
        'td',
        {},
        h('span', { class: 'device', title: info.userAgent ?? '' }, device.label),
        info.current ? [' ', badge('This device', 'accent', 'session-current-badge')] : null,
      ),
      h('td', { 'data-label': 'IP address' }, h('code', {}, info.ip ?? '—')),
      h('td', { 'data-label': 'Signed in' }, timeEl(info.createdAt)),
      h('td', { 'data-label': 'Last used' }, timeEl(info.lastUsedAt ?? info.createdAt)),
      h('td', { class: 'cell-action' }, action),
    );
    return tr;
  };

  const revoke = async (info: SessionInfo, tr: HTMLTableRowElement): Promise<void> => {
    message.clear();
    try {
      await api.revokeSession(String(info.id));
      tr.remove();
      context.announce('Session revoked. That device has to log in again.', 'success');
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        context.announce('That session had already ended.', 'info');
        await load();
      } else {
        message.error(describeError(error));
      }
    }
  };

  const logOutHere = async (): Promise<void> => {
    try {
      await api.logout();
    } catch (error) {
      message.error(describeError(error));
    }
  };

  const logoutAll = button(
    'Log out everywhere',
    () =>
      void whileBusy(logoutAll, 'Logging out everywhere…', async () => {
        message.clear();
        try {
          await api.logoutAll();
        } catch (error) {
          message.error(describeError(error));
        }
      }),
    { variant: 'danger', testid: 'logout-all' },
  );

  void load();

  return h(
    'div',
    { class: 'view', testid: 'view-sessions' },
    heading('Sessions'),
    h('p', { class: 'lead' }, 'Every browser or app where you are logged in. Revoke any you do not recognise.'),
    message.el,
    card(list),
    card(
      h('h2', {}, 'Log out everywhere'),
      h(
        'p',
        { class: 'muted' },
        'Ends every session, this one included. Access tokens issued before now stop working at once.',
      ),
      h('div', { class: 'actions' }, logoutAll),
    ),
  );
}
