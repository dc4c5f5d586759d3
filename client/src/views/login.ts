import * as api from '../api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import type { ViewContext } from '../router';
import { field, formView, messageBox, submitButton, whileBusy } from '../ui';

export function loginView(_context: ViewContext): Node {
  const email = field({ id: 'login-email', name: 'email', label: 'Email', type: 'email', autocomplete: 'email' });
  const password = field({
    id: 'login-password',
    name: 'password',
    label: 'Password',
    type: 'password',
    autocomplete: 'current-password',
  });
  const message = messageBox('login-error');
  const submit = submitButton('Log in', 'login-submit');
  const form = h(
    'form',
    { class: 'form', testid: 'login-form', 'aria-labelledby': 'login-heading' },
    message.el,
    email.row,
    password.row,
    h('div', { class: 'actions' }, submit),
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(
      submit,
      'Logging in…',
      async () => {
        message.clear();
        try {
          // On success the session announces the login and the router moves on to the profile.
          await api.login(email.input.value.trim(), password.input.value);
        } catch (error) {
          // Same words for an unknown email and a wrong password: the form must not reveal which accounts exist.
          // 403 only after the right password: the address is not confirmed yet, and the server says what to do.
          const unverified = error instanceof ApiError && error.status === 403 ? error.messages[0] : undefined;
          message.error(describeError(error, { 401: 'Email or password is incorrect', 403: unverified }));
          password.input.value = '';
          password.input.focus();
        }
      },
      form,
    );
  });

  return formView({
    name: 'login',
    title: 'Log in',
    lead: 'Your session lives in HttpOnly cookies that scripts on this page cannot read.',
    form,
    aside: [
      'New here? ',
      h('a', { href: '#/register', testid: 'login-to-register' }, 'Create an account'),
      '. ',
      h('a', { href: '#/forgot', testid: 'login-to-forgot' }, 'Forgot your password?'),
    ],
  });
}
