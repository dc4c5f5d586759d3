/** Sign-in security, passkeys: add one (WebAuthn), rename or remove the ones there are. */
import { h } from '../dom';
import { describeError } from '../errors';
import * as mfa from '../mfa';
import { field, submitButton } from '../forms';
import { button, card, timeEl, whileBusy, type MessageBox } from '../ui';
import { passkeyError } from './login';
import { recoveryCodesPanel, type Rerender } from './security-recovery';

export function passkeyCard(status: mfa.MfaStatus, message: MessageBox, rerender: Rerender): HTMLElement {
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

function passkeyRow(passkey: mfa.Passkey, message: MessageBox, rerender: Rerender): HTMLElement {
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
