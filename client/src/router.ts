/**
 * Hash routing (`#/sessions`): the server serves one index.html and never sees the route. Each route
 * declares who may see it; the router enforces that before a view renders, moves focus to the new
 * heading and shows any pending notice in the page's live region.
 */
import { replaceChildren } from './dom';
import * as session from './session';

/** `guest`: only while logged out (login, register). `anyone`: both. */
export type Access = 'anyone' | 'guest' | 'user' | 'admin';

export type Tone = 'info' | 'success' | 'error';

export interface Notice {
  text: string;
  tone: Tone;
}

export interface ViewContext {
  /** Aborted when the user leaves the view: pass it to requests and listeners. */
  signal: AbortSignal;
  // Function properties, not methods: views pass them on as callbacks (the router's closures need no `this`).
  navigate: (path: string, notice?: Notice) => void;
  announce: (text: string, tone?: Tone) => void;
}

export interface Route {
  path: string;
  title: string;
  access: Access;
  wide?: boolean;
  view(context: ViewContext): Node;
}

export interface RouterOptions {
  routes: Route[];
  notFound: Route;
  forbidden: Route;
  outlet: HTMLElement;
  status: HTMLElement;
  onRender(route: Route): void;
}

export interface Router {
  start(notice?: Notice): void;
  render(): void;
  navigate(path: string, notice?: Notice): void;
  /** Like navigate, without leaving a history entry (redirects, forced logouts). */
  replace(path: string, notice?: Notice): void;
  /** Where to go after the next login. */
  rememberReturn(path: string): void;
  currentPath(): string;
  announce(text: string, tone?: Tone): void;
}

export function createRouter(options: RouterOptions): Router {
  const { routes, outlet, status } = options;
  let controller: AbortController | null = null;
  let pendingNotice: Notice | null = null;
  let returnTo: string | null = null;
  let started = false;
  let firstRender = true;

  const currentPath = (): string => {
    const hash = location.hash.split('?')[0] ?? '';
    return hash.startsWith('#/') && hash.length > 2 ? hash : '';
  };

  const announce = (text: string, tone: Tone = 'info'): void => {
    status.className = `status status-${tone}`;
    status.textContent = text;
  };

  const navigate = (path: string, notice?: Notice): void => {
    pendingNotice = notice ?? null;
    if (location.hash === path) render();
    else location.hash = path;
  };

  const replace = (path: string, notice?: Notice): void => {
    if (notice) pendingNotice = notice;
    history.replaceState(history.state, '', path);
    render();
  };

  function render(): void {
    if (!started) return;
    const loggedIn = session.authState() === 'logged-in';
    const path = currentPath();
    if (!path) return replace(loggedIn ? '#/profile' : '#/login');
    const route = routes.find((candidate) => candidate.path === path) ?? options.notFound;

    if (route.access === 'guest' && loggedIn) {
      const target = returnTo ?? '#/profile';
      returnTo = null;
      return replace(target);
    }
    if ((route.access === 'user' || route.access === 'admin') && !loggedIn) {
      returnTo = path;
      return replace('#/login', pendingNotice ?? { text: 'Please log in to continue.', tone: 'info' });
    }
    const shown = route.access === 'admin' && !session.isAdmin() ? options.forbidden : route;

    controller?.abort();
    controller = new AbortController();
    const notice = pendingNotice;
    pendingNotice = null;
    if (notice) announce(notice.text, notice.tone);
    else announce('');

    outlet.classList.toggle('wide', shown.wide === true);
    replaceChildren(outlet, shown.view({ signal: controller.signal, navigate, announce }));
    document.title = `${shown.title} · Warden`;
    options.onRender(shown);
    if (!firstRender) outlet.querySelector<HTMLElement>('h1')?.focus();
    firstRender = false;
  }

  window.addEventListener('hashchange', render);

  return {
    start(notice) {
      started = true;
      if (notice) pendingNotice = notice;
      render();
    },
    render,
    navigate,
    replace,
    rememberReturn(path) {
      returnTo = path;
    },
    currentPath,
    announce,
  };
}
