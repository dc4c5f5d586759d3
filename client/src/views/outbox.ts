/** Development only: the mails Warden "sent" while no SMTP server is configured. */
import * as accounts from '../accounts-api';
import { h, heading } from '../dom';
import { describeError } from '../errors';
import type { ViewContext } from '../router';
import { button, card, loading, timeEl } from '../ui';

export function outboxView(context: ViewContext): Node {
  const list = h('div', { testid: 'outbox-list' }, loading());
  const render = async (): Promise<void> => {
    try {
      const mails = await accounts.outbox(context.signal);
      if (mails === null) {
        list.replaceChildren(
          h('p', {}, 'There is no outbox here: it exists in development only, when no SMTP_URL is set.'),
        );
        return;
      }
      if (mails.length === 0) {
        list.replaceChildren(h('p', { testid: 'outbox-empty' }, 'No mail yet.'));
        return;
      }
      list.replaceChildren(
        ...mails.map((mail) =>
          card(
            h('h2', {}, mail.subject),
            h(
              'p',
              { class: 'aside' },
              'To ',
              h('strong', { testid: 'outbox-to' }, mail.to),
              ' · ',
              timeEl(mail.sentAt, true),
            ),
            h('pre', { class: 'code' }, mail.text),
            mail.link
              ? h(
                  'p',
                  {},
                  h('a', { href: inThisApp(mail.link), testid: `outbox-link-${mail.template}` }, 'Open the link'),
                )
              : null,
          ),
        ),
      );
    } catch (error) {
      list.replaceChildren(h('p', { class: 'message message-error' }, describeError(error).join(' ')));
    }
  };
  void render();
  return h(
    'div',
    { class: 'view', testid: 'view-outbox' },
    heading('Development outbox'),
    h('p', { class: 'lead' }, 'Newest first. Links carry their token after #, so opening one sends it to no server.'),
    h(
      'p',
      {},
      button('Refresh', () => void render(), { testid: 'outbox-refresh' }),
    ),
    list,
  );
}

/** The link's client route, opened in this app whatever PUBLIC_URL says (e.g. another port in development). */
function inThisApp(link: string): string {
  const at = link.indexOf('#/');
  return at >= 0 ? link.slice(at) : link;
}
