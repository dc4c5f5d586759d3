import { humanDuration, layout, RenderedMail } from './layout';

/**
 * The account mails. Links carry their token after `#`, so a click sends no token to any server (not to
 * Warden's access log, not to a proxy) and no page can leak it through `Referer`.
 */

export function verifyEmailMail(link: string, ttlSeconds: number): RenderedMail {
  return layout('Confirm your email address', [
    'Welcome to Warden. Confirm that this address is yours to finish creating your account.',
    { action: 'Confirm my address', href: link },
    `The link works once and expires in ${humanDuration(ttlSeconds)}.`,
    'If you did not create an account, ignore this mail: nothing happens without the link.',
  ]);
}

export function registrationAttemptMail(loginLink: string, resetLink: string): RenderedMail {
  return layout('Someone tried to register with your address', [
    'Someone (perhaps you) just tried to create a Warden account with this email address, which already has one. No new account was created and nothing changed.',
    { action: 'Log in', href: loginLink },
    { action: 'Forgot your password? Reset it', href: resetLink },
    'If it was not you, you need not do anything.',
  ]);
}

export function addressInUseMail(loginLink: string): RenderedMail {
  return layout('Someone tried to use your address', [
    'Someone signed in to another Warden account asked to make this address its sign-in address. This address already belongs to your account, so nothing changed.',
    { action: 'Log in', href: loginLink },
    'If it was not you, you need not do anything.',
  ]);
}

export function passwordResetMail(link: string, ttlSeconds: number): RenderedMail {
  return layout('Reset your password', [
    'We received a request to reset the password of the Warden account with this address.',
    { action: 'Choose a new password', href: link },
    `The link works once, expires in ${humanDuration(ttlSeconds)} and dies when a newer one is sent. Resetting ends every session of the account.`,
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ]);
}

export function passwordChangedMail(resetLink: string): RenderedMail {
  return layout('Your password was changed', [
    'The password of your Warden account was just changed, and every session was ended.',
    'If it was not you, reset your password now and tell your administrator:',
    { action: 'Reset my password', href: resetLink },
  ]);
}

export function emailChangeVerifyMail(link: string, ttlSeconds: number): RenderedMail {
  return layout('Confirm your new email address', [
    'Confirm this address to make it the new sign-in address of your Warden account.',
    { action: 'Confirm the new address', href: link },
    `The link works once and expires in ${humanDuration(ttlSeconds)}. Until then, nothing changes.`,
    'If you did not ask for this, ignore this mail.',
  ]);
}

export function emailChangedNoticeMail(newEmail: string, undoLink: string, undoSeconds: number): RenderedMail {
  return layout('Your sign-in address was changed', [
    `The sign-in address of your Warden account was changed to ${newEmail}.`,
    `If it was not you, undo it within ${humanDuration(undoSeconds)}: this address comes back, every session ends and we send you a link to choose a new password.`,
    { action: 'Undo the change', href: undoLink },
  ]);
}
