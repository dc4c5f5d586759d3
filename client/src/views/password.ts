import * as api from '../api';
import { h } from '../dom';
import { checkedForm, field, formView, newPasswordField } from '../forms';
import type { ViewContext } from '../router';
import * as session from '../session';
import { messageBox } from '../ui';

export function passwordView(context: ViewContext): Node {
  const current = field({
    id: 'password-current',
    name: 'currentPassword',
    label: 'Current password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const next = newPasswordField({ id: 'password-new', name: 'newPassword', label: 'New password' });
  const confirm = field({
    id: 'password-confirm',
    name: 'confirmPassword',
    label: 'Repeat the new password',
    type: 'password',
    autocomplete: 'new-password',
    minLength: 12,
    maxLength: 128,
  });
  // Lets password managers file the new password under the right account.
  const username = h('input', {
    type: 'email',
    name: 'username',
    autocomplete: 'username',
    value: session.currentUser()?.email ?? '',
    hidden: true,
    readonly: true,
    tabindex: -1,
  });
  const message = messageBox('password-error');
  const form = checkedForm({
    name: 'password',
    message,
    submitLabel: 'Change password',
    busyLabel: 'Changing password…',
    fields: [username, current.row, next.row, confirm.row],
    check: () =>
      next.input.value === confirm.input.value ? [] : ['Repeat the new password: the two new passwords do not match'],
    send: async (form) => {
      await api.changePassword(current.input.value, next.input.value);
      form.reset();
      message.success('Password changed. Every other session was logged out; this one stays.');
      context.announce('Password changed.', 'success');
    },
  });

  return formView({
    name: 'password',
    title: 'Change password',
    lead: 'Changing your password logs out every other session, so a stolen one stops working.',
    form,
  });
}
