import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { STRONG_PASSWORD } from '../factories/users';

/**
 * Debian's Chromium, never a downloaded browser. Each launch gets a fresh profile directory, removed on
 * close, so nothing (cookies, storage, locks) leaks from one test file, or one "device", to another.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The page globals that functions passed to `page.evaluate` use. They run in the browser, but this project's
 * type-check has no DOM lib. (Functions, not strings: a string predicate is eval'ed and the CSP forbids it.)
 */
declare const document: { body: { dataset: Record<string, string | undefined> }; cookie: string };
declare const localStorage: Record<string, string>;
declare const sessionStorage: Record<string, string>;
declare const location: { hash: string };
declare function scrollTo(x: number, y: number): void;

/** The element members that functions passed to `locator.evaluate(All)` read, for the same reason. */
export interface PageElement {
  textContent: string | null;
  scrollHeight: number;
  clientHeight: number;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  compareDocumentPosition(other: PageElement): number;
}

export const SCREENSHOTS = join(__dirname, 'screenshots');
/** The screenshots kept in the repository (docs/screenshots/<screen>-<width>.png), rewritten by every run. */
export const DOC_SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
/** A desktop and a phone width; every screen is looked at in both. */
export const SCREEN_WIDTHS = [1280, 390] as const;
const DEFAULT_VIEWPORT = { width: 1280, height: 720 };

export type AuthState = 'pending' | 'logged-in' | 'logged-out';

export interface Browser {
  context: BrowserContext;
  /** The page Chromium opened with the profile, pointed at the app. */
  page: Page;
  newPage(): Promise<Page>;
  /** A clean start for the next test: no cookies, one tab, freshly loaded at the login screen. */
  reset(): Promise<void>;
  /**
   * Page errors and CSP violations seen so far, then forgotten. Tests assert it is empty after each test:
   * the client runs under `script-src 'self'; style-src 'self'` and must never trip it.
   */
  takeProblems(): string[];
  close(): Promise<void>;
}

export async function launchBrowser(baseUrl: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'warden-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  let problems: string[] = [];
  const watch = (page: Page): void => {
    page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) problems.push(`CSP violation: ${message.text()}`);
    });
  };
  // A missing element should fail a test in seconds, not at the test timeout.
  context.setDefaultTimeout(10_000);
  context.pages().forEach(watch);
  context.on('page', watch);

  const newPage = async (): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    return page;
  };
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${baseUrl}/`);

  const reset = async (): Promise<void> => {
    for (const extra of context.pages().filter((open) => open !== page)) await extra.close();
    await context.clearCookies();
    await page.goto('about:blank');
    await page.goto(`${baseUrl}/#/login`);
    await waitForAuthState(page, 'logged-out');
  };

  return {
    context,
    page,
    newPage,
    reset,
    takeProblems: () => {
      const seen = problems;
      problems = [];
      return seen;
    },
    close: async () => {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Waits until the client settled on `state` (body[data-auth-state]). */
export async function waitForAuthState(page: Page, state: AuthState, timeout = 10_000): Promise<void> {
  await page.waitForFunction((expected) => document.body.dataset['authState'] === expected, state, { timeout });
}

export function authState(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.body.dataset['authState']);
}

export function route(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.body.dataset['route']);
}

/** Hash navigation, as a click on a nav link would do; resolves once the view is on screen. */
export async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((hash) => (location.hash = hash), `#/${path}`);
  await page.waitForFunction((expected) => document.body.dataset['route'] === expected, path);
}

export async function register(page: Page, email: string, password = STRONG_PASSWORD): Promise<void> {
  await go(page, 'register');
  await page.fill('#register-email', email);
  await page.fill('#register-password', password);
  await page.getByTestId('register-submit').click();
}

export async function logIn(page: Page, email: string, password = STRONG_PASSWORD): Promise<void> {
  await go(page, 'login');
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.getByTestId('login-submit').click();
}

/** Logs in through the form and waits for the profile with the user's email on it. */
export async function logInAndSeeProfile(page: Page, email: string, password = STRONG_PASSWORD): Promise<void> {
  await logIn(page, email, password);
  await waitForAuthState(page, 'logged-in');
  await page.getByTestId('profile-email').filter({ hasText: email }).waitFor();
}

/** Everything a script on the page can read: document.cookie and both storages, as one string each. */
export function readableByScripts(page: Page): Promise<{ cookie: string; local: string; session: string }> {
  return page.evaluate(() => ({
    cookie: document.cookie,
    local: JSON.stringify(Object.entries(localStorage)),
    session: JSON.stringify(Object.entries(sessionStorage)),
  }));
}

export interface RefreshCall {
  at: number;
  page: Page | null;
  /** The Cookie header the browser attached (the test can see it; the page cannot). */
  cookie: Promise<string>;
  status: Promise<number | null>;
}

/** Records every POST /api/auth/refresh the browser sends, from any tab of the context. */
export function recordRefreshes(context: BrowserContext): RefreshCall[] {
  const calls: RefreshCall[] = [];
  context.on('request', (request: Request) => {
    if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/api/auth/refresh') return;
    calls.push({
      at: Date.now(),
      page: request.frame().page(),
      // Settled even if the browser closes first, so a late answer cannot fail another test.
      cookie: request.headerValue('cookie').then(
        (cookie) => cookie ?? '',
        () => '',
      ),
      status: request.response().then(
        (response) => response?.status() ?? null,
        () => null,
      ),
    });
  });
  return calls;
}

/** The value of one cookie in a Cookie request header. */
export function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

export async function scrollToTop(page: Page): Promise<void> {
  await page.evaluate(() => scrollTo(0, 0));
}

/**
 * Saves docs/screenshots/<name>-1280.png and <name>-390.png (the whole page), then restores the viewport.
 * Reviewed by eye, never compared pixel by pixel: fonts and anti-aliasing differ between machines.
 */
export async function docScreenshots(page: Page, name: string): Promise<void> {
  mkdirSync(DOC_SCREENSHOTS, { recursive: true });
  try {
    for (const width of SCREEN_WIDTHS) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      await scrollToTop(page);
      const path = join(DOC_SCREENSHOTS, `${name}-${width}.png`);
      await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
    }
  } finally {
    await page.setViewportSize(DEFAULT_VIEWPORT);
  }
}

/**
 * What a page load cost in failures: answers of 400 or more, requests that never got an answer, and
 * console errors (Chromium logs every failed fetch as one). Listens from the moment it is called.
 */
export function watchFailures(page: Page): { failures: string[]; apiRequests: string[] } {
  const failures: string[] = [];
  const apiRequests: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/api/')) apiRequests.push(`${request.method()} ${path}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400)
      failures.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => failures.push(`failed ${request.method()} ${request.url()}`));
  page.on('console', (message) => {
    if (message.type() === 'error') failures.push(`console error: ${message.text()}`);
  });
  return { failures, apiRequests };
}

/** Saves test/browser/screenshots/<name>.png, the whole page unless told otherwise. */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage, animations: 'disabled', caret: 'hide' });
  return path;
}
