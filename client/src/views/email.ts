/** Change the sign-in address: the current password, then a link to the new address. */
import * as accounts from '../accounts-api';
import { checkedForm, field, formView } from '../forms';
import { messageBox } from '../ui';
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
  const form = checkedForm({
    name: 'email',
    message,
    submitLabel: 'Send the confirmation link',
    busyLabel: 'Sending…',
    fields: [newEmail.row, current.row],
    send: async (form) => {
      const answer = await accounts.requestEmailChange(current.input.value, newEmail.input.value.trim());
      form.reset();
      message.success(answer.message);
    },
  });
  return formView({
    name: 'email',
    title: 'Change your email',
    lead: 'Nothing changes until you follow the link we send to the new address; the old one can undo it for a while.',
    form,
    aside: outboxHint(),
  });
}
