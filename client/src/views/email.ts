/** Change the sign-in address: the current password, then a link to the new address. */
import * as accounts from '../accounts-api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import { field, formView, markInvalid, messageBox, submitButton, whileBusy } from '../ui';
import { outboxHint } from './reset';

export function changeEmailView(): Node {
  const newEmail = field({
    id: 'email-new',
    name: 'newEmail',
    label: 'New email',
    type: 'email',
    autocomplete: 'email',
  });
  const current = field({
    id: 'email-current-password',
    name: 'currentPassword',
    label: 'Current password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const message = messageBox('email-message');
  const submit = submitButton('Send the confirmation link', 'email-submit');
  const form = h(
    'form',
    { class: 'form', testid: 'email-form' },
    message.el,
    newEmail.row,
    current.row,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(
      submit,
      'Sending…',
      async () => {
        message.clear();
        try {
          const answer = await accounts.requestEmailChange(current.input.value, newEmail.input.value.trim());
          message.success(answer.message);
          form.reset();
        } catch (error) {
          const lines = describeError(error);
          message.error(lines);
          markInvalid(form, error instanceof ApiError && error.status === 400 ? lines : []);
        }
      },
      form,
    );
  });
  return formView({
    name: 'email',
    title: 'Change your email',
    lead: 'Nothing changes until you follow the link we send to the new address; the old one can undo it for a while.',
    form,
    aside: outboxHint(),
  });
}
