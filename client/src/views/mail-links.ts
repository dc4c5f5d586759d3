/** The screens mailed links open: verify an address, confirm or undo an email change. */
import * as accounts from '../accounts-api';
import { h } from '../dom';
import { describeError } from '../errors';
import type { ViewContext } from '../router';
import { card, messageBox } from '../ui';

interface LinkScreen {
  name: string;
  title: string;
  lead: string;
  busy: string;
  run(token: string): Promise<string>;
}

function linkView(screen: LinkScreen): (context: ViewContext) => Node {
  return () => {
    const message = messageBox(`${screen.name}-result`);
    const token = accounts.takeLinkToken();
    const title = h('h1', { id: `${screen.name}-heading`, tabindex: '-1' }, screen.title);
    const next = h('p', { class: 'aside' }, h('a', { href: '#/login', testid: `${screen.name}-to-login` }, 'Log in'));
    if (!token) {
      message.error(['This page needs the link from your mail. Open it from the mail again.']);
    } else {
      message.success(screen.busy);
      screen.run(token).then(
        (text) => message.success(text),
        (error: unknown) => message.error(describeError(error)),
      );
    }
    return h(
      'div',
      { class: 'view view-narrow', testid: `view-${screen.name}` },
      title,
      h('p', { class: 'lead' }, screen.lead),
      card(message.el),
      next,
    );
  };
}

export const verifyEmailView = linkView({
  name: 'verify-email',
  title: 'Confirm your email',
  lead: 'The link in your mail confirms that the address is yours.',
  busy: 'Confirming…',
  run: async (token) => `${(await accounts.verifyEmail(token)).email} is confirmed. You can log in now.`,
});

export const confirmEmailView = linkView({
  name: 'confirm-email',
  title: 'Confirm your new address',
  lead: 'The link in your mail makes this address your new sign-in address.',
  busy: 'Confirming…',
  run: async (token) => `Your sign-in address is now ${(await accounts.confirmEmailChange(token)).email}.`,
});

export const undoEmailChangeView = linkView({
  name: 'undo-email-change',
  title: 'Undo the address change',
  lead: 'Your old address comes back, every session ends and we mail you a link to choose a new password.',
  busy: 'Restoring…',
  run: async (token) =>
    `${(await accounts.undoEmailChange(token)).email} is your sign-in address again. Check it for a password reset link.`,
});
