/** Change the sign-in address: the current password, then a link to the new address. */
import * as accounts from '../accounts-api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import { checkFields, field, formView, markInvalid, messageBox, submitButton, whileBusy } from '../ui';
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
    { class: 'form', testid: 'email-form', 'aria-labelledby': 'email-heading', novalidate: true },
    message.el,
    newEmail.row,
    current.row,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.clear();
    const problems = checkFields(form);
    if (problems.length > 0) {
      message.error(markInvalid(form, problems));
      form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    void whileBusy(
      submit,
      'Sending…',
      async () => {
        message.clear();
        try {
          const answer = await accounts.requestEmailChange(current.input.value, newEmail.input.value.trim());
          form.reset();
          markInvalid(form, []);
          message.success(answer.message);
        } catch (error) {
          const lines = describeError(error);
          message.error(error instanceof ApiError && error.status === 400 ? markInvalid(form, lines) : lines);
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
