import * as api from '../api';
import { h, heading, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { formatDateTime, formatRelative } from '../format';
import type { ViewContext } from '../router';
import * as session from '../session';
import { badge, button, card, loading, messageBox, whileBusy } from '../ui';

export function profileView(context: ViewContext): Node {
  const account = h('div', { 'aria-busy': 'true' }, loading());
  const timing = h('dl', { class: 'facts', testid: 'session-timing' });
  const message = messageBox('profile-error');

  void api
    .me(context.signal)
    .then((profile) => {
      replaceChildren(
        account,
        h(
          'dl',
          { class: 'facts' },
          fact(
            'Email',
            h(
              'span',
              {},
              h('span', { testid: 'profile-email' }, profile.email),
              profile.emailVerified === false && ' ',
              profile.emailVerified === false && badge('not confirmed', 'warn', 'profile-unverified'),
            ),
          ),
          fact('User ID', h('code', { testid: 'profile-id' }, String(profile.id))),
          fact(
            'Roles',
            h(
              'span',
              { class: 'badges', testid: 'profile-roles' },
              (profile.roles ?? []).map((role) => badge(role, role === 'admin' ? 'accent' : 'neutral')),
            ),
          ),
          fact('Member since', formatDateTime(profile.createdAt)),
        ),
      );
      account.removeAttribute('aria-busy');
    })
    .catch((error: unknown) => {
      if (context.signal.aborted) return;
      account.removeAttribute('aria-busy');
      replaceChildren(account);
      message.error(describeError(error));
    });

  const showTiming = (): void => {
    const t = session.timing();
    if (!t) return replaceChildren(timing);
    replaceChildren(
      timing,
      fact('Access token expires', timeFact(t.expiresAt, 'token-expires')),
      session.isIdle()
        ? fact('Next silent refresh', 'paused: no activity for a while; it resumes when you use the app')
        : fact('Next silent refresh', timeFact(t.refreshAt, 'token-refresh')),
    );
  };
  showTiming();
  session.onSessionChange(showTiming, context.signal);
  const ticker = window.setInterval(showTiming, 5_000);
  context.signal.addEventListener('abort', () => window.clearInterval(ticker), { once: true });

  const refreshNow = button(
    'Refresh now',
    () =>
      void whileBusy(refreshNow, 'Refreshing…', async () => {
        try {
          if (await session.refresh())
            context.announce('Tokens refreshed: a new access token and a new refresh token.', 'success');
        } catch (error) {
          context.announce(describeError(error).join(' '), 'error');
        }
      }),
    { testid: 'refresh-now' },
  );

  return h(
    'div',
    { class: 'view', testid: 'view-profile' },
    heading('Your account'),
    message.el,
    card(h('h2', {}, 'Profile'), account),
    card(
      h('h2', {}, 'This session'),
      h(
        'p',
        { class: 'muted' },
        'Your tokens are in HttpOnly cookies. This page knows only when the access token expires, and refreshes it shortly before.',
      ),
      timing,
      h('div', { class: 'actions' }, refreshNow),
    ),
  );
}

function fact(term: string, value: Node | string): Node[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function timeFact(epochMs: number, testid: string): Node {
  const iso = new Date(epochMs).toISOString();
  return h(
    'span',
    {},
    h('time', { datetime: iso, testid }, formatDateTime(iso, true)),
    ' ',
    h('span', { class: 'muted' }, `(${formatRelative(iso)})`),
  );
}
