/** Forgot password (ask for a link) and set a new password (the link's screen). */
import * as accounts from '../accounts-api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import type { ViewContext } from '../router';
import { checkFields, field, formView, markInvalid, messageBox, passwordRules, submitButton, whileBusy } from '../ui';

export function forgotView(): Node {
  const email = field({ id: 'forgot-email', name: 'email', label: 'Email', type: 'email', autocomplete: 'email' });
  const message = messageBox('forgot-message');
  const submit = submitButton('Send me a link', 'forgot-submit');
  const form = h(
    'form',
    { class: 'form', testid: 'forgot-form', 'aria-labelledby': 'forgot-heading', novalidate: true },
    message.el,
    email.row,
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
          message.success((await accounts.requestPasswordReset(email.input.value.trim())).message);
        } catch (error) {
          message.error(describeError(error));
        }
      },
      form,
    );
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
  const password = field({
    id: 'reset-password',
    name: 'newPassword',
    label: 'New password',
    type: 'password',
    autocomplete: 'new-password',
    minLength: 12,
    maxLength: 128,
  });
  const rules = passwordRules('reset-password-hint');
  password.row.append(rules);
  password.input.setAttribute('aria-describedby', rules.id);
  const message = messageBox('reset-error');
  const submit = submitButton('Set the new password', 'reset-submit');
  const form = h(
    'form',
    { class: 'form', testid: 'reset-form', 'aria-labelledby': 'reset-heading', novalidate: true },
    message.el,
    password.row,
    h('div', { class: 'actions' }, submit),
  );
  if (!token) message.error(['This page needs the link from your mail. Open it from the mail again.']);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!token) return;
    message.clear();
    const problems = checkFields(form);
    if (problems.length > 0) {
      message.error(markInvalid(form, problems));
      password.input.focus();
      return;
    }
    void whileBusy(
      submit,
      'Saving…',
      async () => {
        message.clear();
        try {
          await accounts.confirmPasswordReset(token, password.input.value);
        } catch (error) {
          const lines = describeError(error);
          message.error(error instanceof ApiError && error.status === 400 ? markInvalid(form, lines) : lines);
          return;
        }
        context.navigate('#/login', {
          text: 'Your password was changed and every session ended. Log in with the new one.',
          tone: 'success',
        });
      },
      form,
    );
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
  const slot = h('span', {});
  void accounts.outbox().then(
    (mails) => {
      if (mails)
        slot.append(' · Development: ', h('a', { href: '#/outbox', testid: 'outbox-link' }, 'open the outbox'));
    },
    () => undefined,
  );
  return [slot];
}
