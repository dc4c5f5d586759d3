import QRCode from 'qrcode';
import { h, heading, replaceChildren } from '../dom';
import { describeError } from '../errors';
import * as mfa from '../mfa';
import type { ViewContext } from '../router';
import { badge, button, card, field, loading, messageBox, submitButton, timeEl, whileBusy } from '../ui';
import { passkeyError } from './login';

/** Second factors: an authenticator app (QR code drawn here, from the otpauth:// URI), recovery codes, passkeys. */
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

type Rerender = () => Promise<void>;

function totpCard(status: mfa.MfaStatus, message: ReturnType<typeof messageBox>, rerender: Rerender): HTMLElement {
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
  message: ReturnType<typeof messageBox>,
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

/** Shown once: the server keeps only their hashes. */
function recoveryCodesPanel(codes: string[], rerender: Rerender): HTMLElement {
  return h(
    'div',
    { class: 'recovery-codes', testid: 'recovery-codes' },
    h('p', {}, 'Save these recovery codes somewhere safe. Each works once, and they will not be shown again.'),
    h(
      'ul',
      { class: 'codes' },
      codes.map((value) => h('li', {}, h('code', {}, value))),
    ),
    button('I have saved them', () => void rerender(), { variant: 'primary', testid: 'recovery-codes-saved' }),
  );
}

function recoveryCard(status: mfa.MfaStatus, message: ReturnType<typeof messageBox>): HTMLElement | null {
  if (!status.totp && status.passkeys.length === 0) return null;
  const area = h('div', {});
  const regenerate = button(
    'New recovery codes',
    () =>
      void whileBusy(regenerate, 'Generating…', async () => {
        try {
          const { recoveryCodes } = await mfa.regenerateRecoveryCodes();
          replaceChildren(
            area,
            recoveryCodesPanel(recoveryCodes, () => Promise.resolve(replaceChildren(area))),
          );
        } catch (error) {
          message.error(describeError(error));
        }
      }),
    { testid: 'recovery-codes-regenerate' },
  );
  return card(
    h('h2', {}, 'Recovery codes'),
    h(
      'p',
      { testid: 'recovery-codes-remaining' },
      `${status.recoveryCodesRemaining} unused. New codes replace all earlier ones.`,
    ),
    h('div', { class: 'actions' }, regenerate),
    area,
  );
}

function passkeyCard(status: mfa.MfaStatus, message: ReturnType<typeof messageBox>, rerender: Rerender): HTMLElement {
  const name = field({
    id: 'passkey-name',
    name: 'name',
    label: 'Name for the new passkey',
    maxLength: 64,
    placeholder: 'Laptop',
  });
  const add = submitButton('Add a passkey', 'passkey-add');
  const form = h('form', { class: 'form', testid: 'passkey-form' }, name.row, h('div', { class: 'actions' }, add));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void whileBusy(
      add,
      'Waiting for your passkey…',
      async () => {
        try {
          const created = await mfa.registerPasskey(name.input.value.trim() || 'Passkey');
          message.success(`Passkey “${created.name}” added.`);
          await rerender();
          if (created.recoveryCodes) {
            document
              .querySelector('[data-testid="view-security"]')
              ?.append(recoveryCodesPanel(created.recoveryCodes, rerender));
          }
        } catch (error) {
          message.error(passkeyError(error));
        }
      },
      form,
    );
  });
  const rows = status.passkeys.map((passkey) => passkeyRow(passkey, message, rerender));
  return card(
    h('h2', {}, 'Passkeys'),
    rows.length > 0
      ? h('ul', { class: 'list', testid: 'passkey-list' }, rows)
      : h(
          'p',
          { class: 'muted', testid: 'passkey-none' },
          'No passkey yet. A passkey signs you in without a password.',
        ),
    form,
  );
}

function passkeyRow(passkey: mfa.Passkey, message: ReturnType<typeof messageBox>, rerender: Rerender): HTMLElement {
  const rename = button(
    'Rename',
    () => {
      const input = h('input', { value: passkey.name, maxlength: 64, 'aria-label': 'New name' });
      const save = button(
        'Save',
        () =>
          void whileBusy(save, 'Saving…', async () => {
            try {
              await mfa.renamePasskey(passkey.id, input.value.trim());
              await rerender();
            } catch (error) {
              message.error(describeError(error));
            }
          }),
        { variant: 'primary', testid: 'passkey-rename-save' },
      );
      rename.replaceWith(input, save);
      input.focus();
    },
    { testid: 'passkey-rename' },
  );
  const remove = button(
    'Remove',
    () =>
      void whileBusy(remove, 'Removing…', async () => {
        try {
          await mfa.removePasskey(passkey.id);
          message.success(`Passkey “${passkey.name}” removed.`);
          await rerender();
        } catch (error) {
          message.error(describeError(error));
        }
      }),
    { variant: 'danger', testid: 'passkey-remove' },
  );
  return h(
    'li',
    { testid: 'passkey-row' },
    h('strong', {}, passkey.name),
    ' · added ',
    timeEl(passkey.createdAt),
    ' · last used ',
    timeEl(passkey.lastUsedAt),
    h('span', { class: 'actions' }, rename, remove),
  );
}
