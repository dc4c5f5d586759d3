/**
 * The step-up prompt: when the server answers 401 insufficient_user_authentication (the login is too old
 * for a sensitive action), a dialog asks the user to confirm it is them, then the action is retried.
 */
import { h } from './dom';
import { describeError } from './errors';
import * as mfa from './mfa';
import { passkeyError } from './views/login';
import { field, submitButton } from './forms';
import { button, messageBox, whileBusy } from './ui';

export function promptStepUp(maxAgeSeconds: number | null): Promise<boolean> {
  return new Promise((resolve) => {
    void mfa
      .status()
      .catch(() => null)
      .then((factors) => {
        const hasFactor = factors !== null && (factors.totp || factors.passkeys.length > 0);
        const minutes = maxAgeSeconds ? Math.round(maxAgeSeconds / 60) : null;
        const message = messageBox('step-up-error');
        const secret = hasFactor
          ? field({
              id: 'step-up-code',
              name: 'code',
              label: 'Code from your authenticator app (or a recovery code)',
              autocomplete: 'one-time-code',
              maxLength: 32,
              required: factors.totp,
            })
          : field({
              id: 'step-up-password',
              name: 'password',
              label: 'Password',
              type: 'password',
              autocomplete: 'current-password',
            });
        const submit = submitButton('Confirm', 'step-up-submit');
        const done = (confirmed: boolean): void => {
          dialog.close();
          dialog.remove();
          resolve(confirmed);
        };
        const attempt = async (proof: Parameters<typeof mfa.stepUp>[0]): Promise<void> => {
          message.clear();
          try {
            await mfa.stepUp(proof);
            done(true);
          } catch (error) {
            message.error(
              proof === 'passkey'
                ? passkeyError(error)
                : describeError(error, { 401: 'That was not accepted. Try again.' }),
            );
          }
        };
        const passkey =
          factors && factors.passkeys.length > 0
            ? button(
                'Use a passkey',
                () => void whileBusy(passkey!, 'Waiting for your passkey…', () => attempt('passkey')),
                {
                  testid: 'step-up-passkey',
                },
              )
            : null;
        const form = h(
          'form',
          { class: 'form', testid: 'step-up-form', method: 'dialog' },
          h('h2', { id: 'step-up-heading' }, 'Confirm it is you'),
          h(
            'p',
            {},
            'This action changes your account’s security, so it needs a recent sign-in',
            minutes ? ` (within the last ${minutes} minutes)` : '',
            '. Nothing has been changed yet.',
          ),
          message.el,
          factors?.totp || !hasFactor ? secret.row : null,
          h(
            'div',
            { class: 'actions' },
            factors?.totp || !hasFactor ? submit : null,
            passkey,
            button('Cancel', () => done(false), { testid: 'step-up-cancel' }),
          ),
        );
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          const value = secret.input.value.trim();
          const proof = !hasFactor
            ? { password: secret.input.value }
            : /^\d{6}$/.test(value)
              ? { code: value }
              : { recoveryCode: value };
          void whileBusy(submit, 'Confirming…', () => attempt(proof), form);
        });
        const dialog = h(
          'dialog',
          { class: 'dialog', testid: 'step-up-dialog', 'aria-labelledby': 'step-up-heading' },
          form,
        );
        dialog.addEventListener('cancel', () => done(false));
        document.body.append(dialog);
        dialog.showModal();
        secret.input.focus();
      });
  });
}
