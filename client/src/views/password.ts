import * as api from '../api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import type { ViewContext } from '../router';
import * as session from '../session';
import { checkFields, field, formView, markInvalid, messageBox, passwordRules, submitButton, whileBusy } from '../ui';

export function passwordView(context: ViewContext): Node {
  const current = field({
    id: 'password-current',
    name: 'currentPassword',
    label: 'Current password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const next = field({
    id: 'password-new',
    name: 'newPassword',
    label: 'New password',
    type: 'password',
    autocomplete: 'new-password',
    minLength: 12,
    maxLength: 128,
  });
  const rules = passwordRules('password-new-hint');
  next.row.append(rules);
  next.input.setAttribute('aria-describedby', rules.id);
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
  const submit = submitButton('Change password', 'password-submit');
  const form = h(
    'form',
    { class: 'form', testid: 'password-form', 'aria-labelledby': 'password-heading', novalidate: true },
    message.el,
    username,
    current.row,
    next.row,
    confirm.row,
    h('div', { class: 'actions' }, submit),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.clear();
    const problems = checkFields(form);
    if (problems.length === 0 && next.input.value !== confirm.input.value) {
      problems.push('Repeat the new password: the two new passwords do not match');
    }
    if (problems.length > 0) {
      message.error(markInvalid(form, problems));
      form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    void whileBusy(
      submit,
      'Changing password…',
      async () => {
        try {
          await api.changePassword(current.input.value, next.input.value);
          form.reset();
          markInvalid(form, []);
          message.success('Password changed. Every other session was logged out; this one stays.');
          context.announce('Password changed.', 'success');
        } catch (error) {
          const lines = describeError(error);
          message.error(error instanceof ApiError && error.status === 400 ? markInvalid(form, lines) : lines);
        }
      },
      form,
    );
  });

  return formView({
    name: 'password',
    title: 'Change password',
    lead: 'Changing your password logs out every other session, so a stolen one stops working.',
    form,
  });
}
