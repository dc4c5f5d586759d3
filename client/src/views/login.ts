import * as api from '../api';
import { h } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import type { SecondFactorChallenge } from '../auth-challenges';
import * as mfa from '../mfa';
import type { ViewContext } from '../router';
import { field, formView, submitButton } from '../forms';
import { button, messageBox, whileBusy } from '../ui';

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
  const passkey = button(
    'Sign in with a passkey',
    () => {
      void whileBusy(passkey, 'Waiting for your passkey…', async () => {
        message.clear();
        try {
          await mfa.passkeyLogin();
        } catch (error) {
          message.error(passkeyError(error));
        }
      });
    },
    { testid: 'login-passkey' },
  );
  const form = h(
    'form',
    { class: 'form', testid: 'login-form', 'aria-labelledby': 'login-heading' },
    message.el,
    email.row,
    password.row,
    h('div', { class: 'actions' }, submit, passkey),
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
          const outcome = await api.login(email.input.value.trim(), password.input.value);
          if ('challenge' in outcome) form.replaceWith(secondFactorForm(outcome));
        } catch (error) {
          // Same words for an unknown email and a wrong password: the form must not reveal which accounts exist.
          message.error(describeError(error, { 401: 'Email or password is incorrect', 403: unverifiedMessage(error) }));
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

/** The second step: the password was right; no session exists until the second factor is given. */
function secondFactorForm(challenge: SecondFactorChallenge): HTMLElement {
  const message = messageBox('second-factor-error');
  const code = field({
    id: 'second-factor-code',
    name: 'code',
    label: challenge.methods.includes('totp')
      ? 'Code from your authenticator app (or a recovery code)'
      : 'Recovery code',
    autocomplete: 'one-time-code',
    maxLength: 32,
  });
  code.input.inputMode = challenge.methods.includes('totp') ? 'numeric' : 'text';
  const submit = submitButton('Verify', 'second-factor-submit');
  const finish = async (proof: mfa.FactorProof | 'passkey'): Promise<void> => {
    message.clear();
    try {
      await mfa.completeLogin(challenge, proof);
    } catch (error) {
      message.error(
        describeError(error, { 401: 'That was not accepted. Try again, or start over if the code keeps failing.' }),
      );
      code.input.value = '';
      code.input.focus();
    }
  };
  const passkey = challenge.methods.includes('passkey')
    ? button('Use a passkey', () => void whileBusy(passkey!, 'Waiting for your passkey…', () => finish('passkey')), {
        testid: 'second-factor-passkey',
      })
    : null;
  const form = h(
    'form',
    { class: 'form', testid: 'second-factor-form' },
    h('p', {}, 'Your password was right. Confirm it is you with your second factor.'),
    message.el,
    code.row,
    h('div', { class: 'actions' }, submit, passkey),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = code.input.value.trim();
    // Six digits are an app code; anything else is read as a recovery code.
    const proof = /^\d{6}$/.test(value) ? { code: value } : { recoveryCode: value };
    void whileBusy(submit, 'Verifying…', () => finish(proof), form);
  });
  queueMicrotask(() => code.input.focus());
  return form;
}

export function passkeyError(error: unknown): string[] {
  // The browser's own refusal (the user cancelled, no passkey here) is a DOMException, not a server answer.
  if (error instanceof DOMException || (error instanceof Error && error.name === 'WebAuthnError')) {
    return ['The passkey was not used. Try again, or sign in with your password.'];
  }
  return describeError(error, { 401: 'That passkey was not accepted.', 403: unverifiedMessage(error) });
}

/** 403 only after the right password or passkey: the address is not confirmed yet, and the server says what to do. */
function unverifiedMessage(error: unknown): string | undefined {
  return error instanceof ApiError && error.status === 403 ? error.messages[0] : undefined;
}
