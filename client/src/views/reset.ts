/** Forgot password (ask for a link) and set a new password (the link's screen). */
import * as accounts from '../accounts-api';
import { h } from '../dom';
import { checkedForm, field, formView, newPasswordField } from '../forms';
import type { ViewContext } from '../router';
import { messageBox } from '../ui';

export function forgotView(): Node {
  const email = field({ id: 'forgot-email', name: 'email', label: 'Email', type: 'email', autocomplete: 'email' });
  const message = messageBox('forgot-message');
  const form = checkedForm({
    name: 'forgot',
    message,
    submitLabel: 'Send me a link',
    busyLabel: 'Sending…',
    fields: [email.row],
    send: async () => message.success((await accounts.requestPasswordReset(email.input.value.trim())).message),
  });
  return formView({
    name: 'forgot',
    title: 'Forgot your password?',
    lead: 'We mail a link to choose a new one. It works once, for a short while.',
    form,
    aside: [h('a', { href: '#/login' }, 'Back to log in'), ...outboxHint()],
  });
}

export function resetPasswordView(context: ViewContext): Node {
  const token = accounts.takeLinkToken();
  const password = newPasswordField({ id: 'reset-password', name: 'newPassword', label: 'New password' });
  const form = checkedForm({
    name: 'reset',
    message: messageBox('reset-error'),
    submitLabel: 'Set the new password',
    busyLabel: 'Saving…',
    fields: [password.row],
    blocked: token ? undefined : ['This page needs the link from your mail. Open it from the mail again.'],
    send: async () => {
      await accounts.confirmPasswordReset(token ?? '', password.input.value); // never sent without one: blocked
      context.navigate('#/login', {
        text: 'Your password was changed and every session ended. Log in with the new one.',
        tone: 'success',
      });
    },
  });
  return formView({
    name: 'reset',
    title: 'Choose a new password',
    lead: 'Setting it ends every session of your account, on every device.',
    form,
  });
}

/** In development, where mail goes to the outbox, say where to find it. */
export function outboxHint(): (Node | string)[] {
  if (!accounts.hasOutbox()) return [];
  return [' · Development: ', h('a', { href: '#/outbox', testid: 'outbox-link' }, 'open the outbox')];
}
