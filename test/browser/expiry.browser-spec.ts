import { randomUUID } from 'node:crypto';
import type { Page, Response } from 'playwright-core';
import { registerUser, type TestUser } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import {
  authState,
  cookieValue,
  go,
  launchBrowser,
  logInAndSeeProfile,
  recordRefreshes,
  waitForAuthState,
  type Browser,
  type RefreshCall,
} from './browser';

function issuedAt(jwt: string): number {
  return (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { iat: number }).iat;
}

/** Short enough that a test sees several expiries, long enough for a loaded 2-core machine. */
const TTL_SECONDS = 4;

describe(`silent refresh with ${TTL_SECONDS}-second access tokens`, () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({ env: { ACCESS_TOKEN_TTL: `${TTL_SECONDS}s` }, clock: FakeClock.running() });
    browser = await launchBrowser(t.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(() => browser.reset());
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  const newUser = (): Promise<TestUser> => registerUser(t, { email: `tick-${randomUUID().slice(0, 8)}@example.test` });

  /** Every 401 the page received: with a timely silent refresh there is none. */
  const recordUnauthorized = (page: Page): string[] => {
    const seen: string[] = [];
    page.on('response', (response: Response) => {
      if (response.status() === 401) seen.push(`${response.request().method()} ${response.url()}`);
    });
    return seen;
  };

  /** Resolves when `calls` holds at least `count` answered refreshes. */
  const refreshesAnswered = async (calls: RefreshCall[], count: number): Promise<void> => {
    const deadline = Date.now() + (count + 2) * TTL_SECONDS * 1000;
    while (calls.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${calls.length} of ${count} refreshes within the deadline`);
      await browser.context.waitForEvent('requestfinished', {
        predicate: (request) => new URL(request.url()).pathname === '/api/auth/refresh',
        timeout: 2 * TTL_SECONDS * 1000,
      });
    }
    await Promise.all(calls.map((call) => call.status));
  };

  const expectProfile = async (page: Page, user: TestUser): Promise<void> => {
    await go(page, 'profile');
    await page.getByTestId('profile-email').filter({ hasText: user.email }).waitFor();
    await expectNoTrouble(page);
  };

  const expectSessions = async (page: Page): Promise<void> => {
    await go(page, 'sessions');
    await page.locator('[data-testid="session-row"][data-current="true"]').waitFor();
    await expectNoTrouble(page);
  };

  const expectNoTrouble = async (page: Page): Promise<void> => {
    expect(await authState(page)).toBe('logged-in');
    expect(await page.getByTestId('status').textContent()).toBe('');
    for (const testid of ['profile-error', 'sessions-error']) {
      for (const text of await page.getByTestId(testid).allTextContents()) expect(text).toBe('');
    }
  };

  it('keeps the user working across several expiries, with no visible error', async () => {
    const page = browser.page;
    const user = await newUser();
    const unauthorized = recordUnauthorized(page);
    await logInAndSeeProfile(page, user.email, user.password);
    const refreshes = recordRefreshes(browser.context);
    const started = Date.now();

    // Move between screens while more than three access tokens come and go.
    for (let cycle = 1; cycle <= 4; cycle += 1) {
      await expectSessions(page);
      await expectProfile(page, user);
      await refreshesAnswered(refreshes, cycle);
      await expectSessions(page);
    }
    await expectProfile(page, user);

    expect(Date.now() - started).toBeGreaterThan(3 * TTL_SECONDS * 1000);
    expect(refreshes.length).toBeGreaterThanOrEqual(3);
    expect(await Promise.all(refreshes.map((call) => call.status))).toEqual(refreshes.map(() => 200));
    // The refresh runs before the token expires, so no request is ever refused along the way.
    expect(unauthorized).toEqual([]);
  });

  it('refreshes before the expiry the server reports, even when the tab was told a much later one', async () => {
    const page = browser.page;
    const user = await newUser();
    const unauthorized = recordUnauthorized(page);
    // The login answer claims an hour: only the Access-Token-Expires-At header of the next authenticated
    // answer (the profile) can tell the tab that its cookie lasts seconds.
    await page.route('**/api/auth/login', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as Record<string, unknown>;
      const claimed = new Date(Date.now() + 3_600_000).toISOString();
      await route.fulfill({ response, json: { ...body, accessTokenExpiresAt: claimed } });
    });
    const refreshes = recordRefreshes(browser.context);
    await logInAndSeeProfile(page, user.email, user.password);
    await page.unroute('**/api/auth/login');

    for (let cycle = 1; cycle <= 2; cycle += 1) {
      await refreshesAnswered(refreshes, cycle);
      await expectSessions(page);
      await expectProfile(page, user);
    }
    expect(await Promise.all(refreshes.map((call) => call.status))).toEqual(refreshes.map(() => 200));
    expect(unauthorized).toEqual([]);
  });

  it('two tabs refresh once per expiry between them, and both stay logged in', async () => {
    const user = await newUser();
    const tabA = browser.page;
    await logInAndSeeProfile(tabA, user.email, user.password);
    const tabB = await browser.newPage();
    await waitForAuthState(tabB, 'logged-in');
    await expectProfile(tabB, user);
    const unauthorized = [...recordUnauthorized(tabA), ...recordUnauthorized(tabB)];

    const refreshes = recordRefreshes(browser.context);
    const auditBefore = (await t.auditEvents({ type: 'refresh' })).length;
    await refreshesAnswered(refreshes, 3);

    // Each refresh presents a token pair that no other refresh presented, and only once that pair is due:
    // a second tab refreshing on the same expiry would present the pair the first tab just received.
    const presented = await Promise.all(refreshes.map((call) => call.cookie));
    const refreshTokens = presented.map((cookie) => cookieValue(cookie, '__Secure-refresh'));
    expect(new Set(refreshTokens).size).toBe(refreshTokens.length);
    presented.forEach((cookie, index) => {
      const access = cookieValue(cookie, '__Host-access');
      // On a loaded machine the refresh may leave after the access cookie expired, and the browser drops an
      // expired cookie: then the token was past due by definition.
      const ageSeconds = access ? refreshes[index].at / 1000 - issuedAt(access) : TTL_SECONDS;
      expect({ refresh: index, tokenWasDue: ageSeconds >= TTL_SECONDS / 2 }).toEqual({
        refresh: index,
        tokenWasDue: true,
      });
    });
    expect(await Promise.all(refreshes.map((call) => call.status))).toEqual(refreshes.map(() => 200));

    for (const tab of [tabA, tabB]) {
      await expectSessions(tab);
      await expectProfile(tab, user);
    }
    expect(unauthorized).toEqual([]);

    // The server saw the same: one successful refresh per request, no failure, no reuse. The tabs are
    // stopped first, so no refresh can start between the two counts.
    await tabB.close();
    await tabA.goto('about:blank');
    await Promise.all(refreshes.map((call) => call.status));
    expect((await t.auditEvents({ type: 'refresh' })).length - auditBefore).toBe(refreshes.length);
    expect(await t.auditEvents({ type: 'refresh_failed' })).toEqual([]);
    expect(await t.auditEvents({ type: 'refresh_token_reuse' })).toEqual([]);
  });
});
