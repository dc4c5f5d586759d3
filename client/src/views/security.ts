/**
 * Second factors: an authenticator app (QR code drawn here, from the otpauth:// URI), recovery codes
 * (security-recovery.ts), passkeys (security-passkeys.ts).
 */
import QRCode from 'qrcode';
import { h, heading, replaceChildren } from '../dom';
import { describeError } from '../errors';
import * as mfa from '../mfa';
import type { ViewContext } from '../router';
import { field, submitButton } from '../forms';
import { badge, button, card, loading, messageBox, whileBusy, type MessageBox } from '../ui';
import { passkeyCard } from './security-passkeys';
import { recoveryCard, recoveryCodesPanel, type Rerender } from './security-recovery';

export function securityView(context: ViewContext): Node {
  const message = messageBox('security-message');
  const body = h('div', { 'aria-busy': 'true' }, loading());

  const render = async (): Promise<void> => {
    try {
      const status = await mfa.status(context.signal);
      replaceChildren(
        body,
        totpCard(status, message, render),
        recoveryCard(status, message),
        passkeyCard(status, message, render),
      );
      body.removeAttribute('aria-busy');
    } catch (error) {
      if (context.signal.aborted) return;
      replaceChildren(body);
      message.error(describeError(error));
    }
  };
  void render();

  return h(
    'div',
    { class: 'view', testid: 'view-security' },
    heading('Sign-in security'),
    h('p', { class: 'lead' }, 'A second factor keeps your account safe even if your password leaks.'),
    message.el,
    body,
  );
}

function totpCard(status: mfa.MfaStatus, message: MessageBox, rerender: Rerender): HTMLElement {
  if (status.totp) {
    const remove = button(
      'Remove authenticator app',
      () =>
        void whileBusy(remove, 'Removing…', async () => {
          try {
            await mfa.removeTotp();
            message.success('The authenticator app was removed.');
            await rerender();
          } catch (error) {
            message.error(describeError(error));
          }
        }),
      { variant: 'danger', testid: 'totp-remove' },
    );
    return card(
      h('h2', {}, 'Authenticator app ', badge('on', 'good', 'totp-status')),
      h('div', { class: 'actions' }, remove),
    );
  }
  const area = h('div', { testid: 'totp-enrolment' });
  const start = button(
    'Set up an authenticator app',
    () =>
      void whileBusy(start, 'Preparing…', async () => {
        try {
          const enrolment = await mfa.beginTotp();
          replaceChildren(area, await enrolmentForm(enrolment, message, rerender));
        } catch (error) {
          message.error(describeError(error));
        }
      }),
    { variant: 'primary', testid: 'totp-start' },
  );
  return card(
    h('h2', {}, 'Authenticator app ', badge('off', 'neutral', 'totp-status')),
    h('div', { class: 'actions' }, start),
    area,
  );
}

async function enrolmentForm(
  enrolment: { otpauthUri: string; secret: string },
  message: MessageBox,
  rerender: Rerender,
): Promise<HTMLElement> {
  // Drawn on a canvas in the page: the secret never leaves the browser for a QR service.
  const canvas = h('canvas', { testid: 'totp-qr', 'aria-label': 'QR code for your authenticator app', role: 'img' });
  await QRCode.toCanvas(canvas, enrolment.otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 200 });
  const code = field({
    id: 'totp-code',
    name: 'code',
    label: 'Code shown by the app',
    autocomplete: 'one-time-code',
    maxLength: 6,
  });
  code.input.inputMode = 'numeric';
  const submit = submitButton('Turn on', 'totp-confirm');
  const form = h(
    'form',
    { class: 'form', testid: 'totp-form' },
    h('p', {}, 'Scan this code with your authenticator app, then type the code it shows.'),
    canvas,
    h('p', { class: 'hint' }, 'Cannot scan? Enter this key: ', h('code', { testid: 'totp-secret' }, enrolment.secret)),
    code.row,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(
      submit,
      'Checking…',
      async () => {
        try {
          const { recoveryCodes } = await mfa.confirmTotp(code.input.value.trim());
          message.success('The authenticator app is on. You will be asked for a code when you sign in.');
          form.replaceWith(recoveryCodesPanel(recoveryCodes, rerender));
        } catch (error) {
          message.error(describeError(error));
        }
      },
      form,
    );
  });
  return form;
}
