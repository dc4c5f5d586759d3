import * as accounts from '../accounts-api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import { checkFields, field, formView, markInvalid, messageBox, passwordRules, submitButton, whileBusy } from '../ui';
import { outboxHint } from './reset';

export function registerView(): Node {
  const email = field({ id: 'register-email', name: 'email', label: 'Email', type: 'email', autocomplete: 'email' });
  const password = field({
    id: 'register-password',
    name: 'password',
    label: 'Password',
    type: 'password',
    autocomplete: 'new-password',
    minLength: 12,
    maxLength: 128,
  });
  const rules = passwordRules('register-password-hint');
  password.row.append(rules);
  password.input.setAttribute('aria-describedby', rules.id);
  const message = messageBox('register-error');
  const submit = submitButton('Create account', 'register-submit');
  const form = h(
    'form',
    { class: 'form', testid: 'register-form', 'aria-labelledby': 'register-heading', novalidate: true },
    message.el,
    email.row,
    password.row,
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
      'Creating account…',
      async () => {
        message.clear();
        try {
          // The same answer whether or not the address already has an account: the mail tells its owner.
          const answer = await accounts.register(email.input.value.trim(), password.input.value);
          form.reset();
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
