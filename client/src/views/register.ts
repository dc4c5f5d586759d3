import * as api from '../api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import type { ViewContext } from '../router';
import { checkFields, field, formView, markInvalid, messageBox, passwordRules, submitButton, whileBusy } from '../ui';

export function registerView(context: ViewContext): Node {
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
        const credentials = [email.input.value.trim(), password.input.value] as const;
        try {
          await api.register(...credentials);
        } catch (error) {
          const lines = describeError(error, { 409: 'An account with this email already exists' });
          message.error(error instanceof ApiError && error.status === 400 ? markInvalid(form, lines) : lines);
          return;
        }
        try {
          await api.login(...credentials);
          // Logging in has already shown the profile; say what just happened.
          context.announce('Account created. You are logged in.', 'success');
        } catch {
          context.navigate('#/login', { text: 'Your account was created. Please log in.', tone: 'success' });
        }
      },
      form,
    );
  });

  return formView({
    name: 'register',
    title: 'Create an account',
    lead: 'Pick a long password: length does more for it than symbols do.',
    form,
    aside: ['Already registered? ', h('a', { href: '#/login', testid: 'register-to-login' }, 'Log in'), '.'],
  });
}
