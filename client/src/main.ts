/**
 * Entry point: wires the session to the router and the navigation, then restores the session (if the
 * browser still holds one) before the first screen renders.
 */
import * as api from './api';
import { h, replaceChildren } from './dom';
import { describeError, SESSION_ENDED } from './errors';
import { createRouter, type Notice, type Route } from './router';
import * as session from './session';
import { whileBusy } from './ui';
import { alertsView } from './views/alerts';
import { auditView } from './views/audit';
import { forbiddenView, notFoundView } from './views/errors';
import { changeEmailView } from './views/email';
import { labView } from './views/lab';
import { labResetView } from './views/lab-reset';
import { confirmEmailView, undoEmailChangeView, verifyEmailView } from './views/mail-links';
import { outboxView } from './views/outbox';
import { forgotView, resetPasswordView } from './views/reset';
import { loginView } from './views/login';
import { notesView } from './views/notes';
import { passwordView } from './views/password';
import { profileView } from './views/profile';
import { registerView } from './views/register';
import { securityView } from './views/security';
import { sessionsView } from './views/sessions';
import { promptStepUp } from './step-up';

const routes: Route[] = [
  { path: '#/login', title: 'Log in', access: 'guest', view: loginView },
  { path: '#/register', title: 'Create an account', access: 'guest', view: registerView },
  { path: '#/profile', title: 'Profile', access: 'user', view: profileView },
  { path: '#/notes', title: 'Notes', access: 'user', view: notesView },
  { path: '#/sessions', title: 'Sessions', access: 'user', view: sessionsView },
  { path: '#/password', title: 'Change password', access: 'user', view: passwordView },
  { path: '#/security', title: 'Sign-in security', access: 'user', view: securityView },
  { path: '#/lab', title: 'Security lab', access: 'anyone', view: labView },
  { path: '#/lab/reset-links', title: 'Lab: reset links', access: 'anyone', view: labResetView },
  { path: '#/forgot', title: 'Forgot password', access: 'guest', view: forgotView },
  { path: '#/reset-password', title: 'Choose a new password', access: 'anyone', view: resetPasswordView },
  { path: '#/verify-email', title: 'Confirm your email', access: 'anyone', view: verifyEmailView },
  { path: '#/confirm-email', title: 'Confirm your new address', access: 'anyone', view: confirmEmailView },
  { path: '#/undo-email-change', title: 'Undo the address change', access: 'anyone', view: undoEmailChangeView },
  { path: '#/email', title: 'Change email', access: 'user', view: changeEmailView },
  { path: '#/outbox', title: 'Development outbox', access: 'anyone', wide: true, view: outboxView },
  { path: '#/admin/audit', title: 'Audit log', access: 'admin', wide: true, view: auditView },
  { path: '#/admin/alerts', title: 'Alerts', access: 'admin', view: alertsView },
];

interface NavItem {
  path: string;
  label: string;
  name: string;
}

const GUEST_NAV: NavItem[] = [
  { path: '#/login', label: 'Log in', name: 'login' },
  { path: '#/register', label: 'Create account', name: 'register' },
  { path: '#/lab', label: 'Security lab', name: 'lab' },
];

const USER_NAV: NavItem[] = [
  { path: '#/profile', label: 'Profile', name: 'profile' },
  { path: '#/notes', label: 'Notes', name: 'notes' },
  { path: '#/sessions', label: 'Sessions', name: 'sessions' },
  { path: '#/password', label: 'Password', name: 'password' },
  { path: '#/email', label: 'Email', name: 'email' },
  { path: '#/security', label: 'Security', name: 'security' },
  { path: '#/lab', label: 'Security lab', name: 'lab' },
];

const ADMIN_NAV: NavItem[] = [
  { path: '#/admin/audit', label: 'Audit', name: 'audit' },
  { path: '#/admin/alerts', label: 'Alerts', name: 'alerts' },
];

const nav = requireElement('nav');
const main = requireElement('main');

const router = createRouter({
  routes,
  notFound: { path: '', title: 'Not found', access: 'anyone', view: notFoundView },
  forbidden: { path: '', title: 'Admins only', access: 'anyone', view: forbiddenView },
  outlet: requireElement('view'),
  status: requireElement('status'),
  onRender: (route) => {
    document.body.dataset['route'] = route.path.replace(/^#\//, '');
    renderNav();
  },
});

session.onSessionChange((event) => {
  document.body.dataset['authState'] = session.authState();
  renderNav();
  if (event.kind === 'logged-out' && event.reason !== 'none') {
    const here = router.currentPath();
    if (event.reason === 'expired' && routes.some((route) => route.path === here && route.access !== 'guest')) {
      router.rememberReturn(here);
    }
    router.replace('#/login', logoutNotice(event.reason, event.remote));
  } else if (event.kind !== 'refreshed') {
    router.render();
  }
});

document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  // A real `#main` would be read as a route; move focus by hand instead.
  event.preventDefault();
  main.focus();
});

// A sensitive action refused for an old login opens the "confirm it is you" dialog, then is retried.
api.onStepUpRequired(promptStepUp);

void boot();

async function boot(): Promise<void> {
  let notice: Notice | undefined;
  try {
    await session.bootstrap();
  } catch (error) {
    notice = { text: describeError(error).join(' '), tone: 'error' };
  }
  document.body.dataset['authState'] = session.authState();
  router.start(notice);
}

function renderNav(): void {
  const user = session.currentUser();
  const items = user ? [...USER_NAV, ...(session.isAdmin() ? ADMIN_NAV : [])] : GUEST_NAV;
  const current = router.currentPath();
  const links = items.map((item) =>
    h(
      'a',
      {
        href: item.path,
        class: 'nav-link',
        testid: `nav-${item.name}`,
        'aria-current': item.path === current ? 'page' : undefined,
      },
      item.label,
    ),
  );
  const account = user
    ? [h('span', { class: 'nav-user', testid: 'nav-user', title: user.email }, user.email), logoutButton()]
    : [];
  replaceChildren(
    nav,
    h('div', { class: 'nav-links' }, links),
    account.length ? h('div', { class: 'nav-account' }, account) : null,
  );
}

function logoutButton(): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'btn btn-secondary btn-small', testid: 'nav-logout' }, 'Log out');
  button.addEventListener('click', () => {
    void whileBusy(button, 'Logging out…', async () => {
      try {
        await api.logout();
      } catch (error) {
        router.announce(`Logout failed: ${describeError(error).join(' ')}`, 'error');
      }
    });
  });
  return button;
}

function logoutNotice(reason: session.EndReason, remote: boolean): Notice | undefined {
  switch (reason) {
    case 'logout':
      return remote
        ? { text: 'You logged out in another tab.', tone: 'info' }
        : { text: 'You have logged out.', tone: 'success' };
    case 'logout-all':
      return { text: 'You logged out on every device.', tone: 'success' };
    case 'killed':
      return { text: 'The session was revoked by the refresh-token reuse check. Please log in again.', tone: 'info' };
    case 'expired':
      return { text: SESSION_ENDED, tone: 'error' };
    case 'none':
      return undefined;
  }
}

function requireElement(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html lacks #${id}`);
  return element;
}
