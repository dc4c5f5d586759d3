/** Sign-in security, recovery codes: shown once when made (the server keeps only their hashes), renewable. */
import { h, replaceChildren } from '../dom';
import { describeError } from '../errors';
import * as mfa from '../mfa';
import { button, card, whileBusy, type MessageBox } from '../ui';

/** Draws the security screen again from the server's current state. */
export type Rerender = () => Promise<void>;

/** Shown once: the server keeps only their hashes. */
export function recoveryCodesPanel(codes: string[], rerender: Rerender): HTMLElement {
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

export function recoveryCard(status: mfa.MfaStatus, message: MessageBox): HTMLElement | null {
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
