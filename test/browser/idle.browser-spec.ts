import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { registerUser } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import {
  authState,
  launchBrowser,
  logInAndSeeProfile,
  recordRefreshes,
  waitForAuthState,
  type Browser,
  type RefreshCall,
} from './browser';

/** The page's own document, inside page.evaluate (this file compiles without the DOM library). */
declare const document: { body: { dataset: Record<string, string | undefined> } };

/**
 * ASVS 5.0 7.3.1: an open tab must not keep a session alive for ever. The page runs on Playwright's fake
 * clock, so minutes pass in a jump; refreshes are counted as the browser sends them.
 */
describe('the client stops silent refresh when nobody uses it', () => {
  const IDLE_SECONDS = 300;
  const STEP = 100_000; // ms per jump; access tokens live 120 s and are refreshed 24 s before they expire
  let t: TestApp;
  let browser: Browser;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = FakeClock.running();
    t = await createTestApp({
      env: { ACCESS_TOKEN_TTL: '2m', CLIENT_IDLE_TIMEOUT: `${IDLE_SECONDS}s`, REFRESH_TOKEN_TTL: '1h' },
      clock,
    });
    browser = await launchBrowser(t.baseUrl);
    await browser.context.clock.install();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(() => browser.reset());
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  const idleState = (page: Page) => page.evaluate(() => document.body.dataset['sessionIdle']);

  /** Jumps the page's clock and waits until the browser has sent and settled `count` refreshes in all. */
  const jumpAndExpectRefreshes = async (page: Page, calls: RefreshCall[], count: number): Promise<void> => {
    await browser.context.clock.fastForward(STEP);
    while (calls.length < count) {
      await browser.context.waitForEvent('requestfinished', {
        predicate: (request) => new URL(request.url()).pathname === '/api/auth/refresh',
      });
    }
    expect(await Promise.all(calls.map((call) => call.status))).toEqual(Array(count).fill(200));
  };

  const logIn = async (): Promise<{ page: Page; calls: RefreshCall[] }> => {
    const user = await registerUser(t, { email: `idle-${randomUUID().slice(0, 8)}@example.test` });
    const { page } = browser;
    await logInAndSeeProfile(page, user.email);
    return { page, calls: recordRefreshes(browser.context) };
  };

  it('refreshes while the user is active, stops when idle, and resumes on the next input', async () => {
    const { page, calls } = await logIn();
    // Active: some input before each jump keeps the refreshes coming.
    for (const count of [1, 2]) {
      await page.mouse.move(10 * count, 10);
      await jumpAndExpectRefreshes(page, calls, count);
    }

    // Idle: jumps without input. Refresh continues until the idle limit, then stops.
    for (let elapsed = 0; elapsed <= IDLE_SECONDS * 1000; elapsed += STEP) {
      await browser.context.clock.fastForward(STEP);
    }
    await page.waitForFunction(() => document.body.dataset['sessionIdle'] === 'true');
    await Promise.all(calls.map((call) => call.status));
    const whenIdle = calls.length;
    // Long past the access token's expiry: still no refresh, and no timer left that could send one.
    for (let i = 0; i < 5; i++) await browser.context.clock.fastForward(STEP);
    expect(await idleState(page)).toBe('true');
    expect(calls).toHaveLength(whenIdle);
    expect(await page.getByTestId('status').textContent()).toBe('');

    // Back at the keyboard: one refresh at once (the access token is long expired), then business as usual.
    await page.mouse.move(200, 200);
    await waitForAuthState(page, 'logged-in');
    await page.waitForFunction(() => document.body.dataset['sessionIdle'] === 'false');
    while (calls.length < whenIdle + 1) {
      await browser.context.waitForEvent('requestfinished', {
        predicate: (request) => new URL(request.url()).pathname === '/api/auth/refresh',
      });
    }
    expect(await calls[whenIdle].status).toBe(200);
  });

  it("lets the server's idle limit end a session left open in a tab", async () => {
    const { page, calls } = await logIn();
    for (let elapsed = 0; elapsed <= IDLE_SECONDS * 1000; elapsed += STEP) {
      await browser.context.clock.fastForward(STEP);
    }
    await page.waitForFunction(() => document.body.dataset['sessionIdle'] === 'true');
    await Promise.all(calls.map((call) => call.status));
    // The server's idle limit (REFRESH_TOKEN_TTL, 1 h here) passes with the tab still open.
    clock.advance(61 * 60_000);
    await page.mouse.move(50, 50);
    await waitForAuthState(page, 'logged-out');
    expect(await calls.at(-1)?.status).toBe(401);
    expect(await authState(page)).toBe('logged-out');
  });
});
