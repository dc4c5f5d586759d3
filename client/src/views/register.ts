import * as accounts from '../accounts-api';
import { h } from '../dom';
import { checkedForm, field, formView, newPasswordField } from '../forms';
import { messageBox } from '../ui';
import { outboxHint } from './reset';

export function registerView(): Node {
  const email = field({ id: 'register-email', name: 'email', label: 'Email', type: 'email', autocomplete: 'email' });
  const password = newPasswordField({ id: 'register-password', name: 'password', label: 'Password' });
  const message = messageBox('register-error');
  const form = checkedForm({
    name: 'register',
    message,
    submitLabel: 'Create account',
    busyLabel: 'Creating account…',
    fields: [email.row, password.row],
    send: async (form) => {
      // The same answer whether or not the address already has an account: the mail tells its owner.
      const answer = await accounts.register(email.input.value.trim(), password.input.value);
      form.reset();
      message.success(answer.message);
    },
  });

  return formView({
    name: 'register',
    title: 'Create an account',
    lead: 'Pick a long password: length does more for it than symbols do. We then mail you a link to confirm the address.',
    form,
    aside: [
      'Already registered? ',
      h('a', { href: '#/login', testid: 'register-to-login' }, 'Log in'),
      '.',
      ...outboxHint(),
    ],
  });
}
