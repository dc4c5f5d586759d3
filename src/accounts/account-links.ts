/** Client routes the mailed links open; the token rides in the fragment, which browsers never send. */
export type LinkRoute = 'verify-email' | 'reset-password' | 'confirm-email' | 'undo-email-change' | 'login' | 'forgot';

export function accountLink(publicUrl: string, route: LinkRoute, token?: string): string {
  return `${publicUrl}/#/${route}${token ? `?token=${token}` : ''}`;
}
