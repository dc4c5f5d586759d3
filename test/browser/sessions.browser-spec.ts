import { randomUUID } from 'node:crypto';
import { registerUser, type TestUser } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import {
  authState,
  go,
  launchBrowser,
  logInAndSeeProfile,
  route,
  screenshot,
  waitForAuthState,
  type Browser,
} from './browser';

describe('ending sessions from the browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({ clock: FakeClock.running() });
    browser = await launchBrowser(t.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(() => browser.reset());
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  const newUser = (): Promise<TestUser> => registerUser(t, { email: `sam-${randomUUID().slice(0, 8)}@example.test` });

  it('"Log out everywhere" in one tab logs the other tab out within a second', async () => {
    const user = await newUser();
    const tabA = browser.page;
    await logInAndSeeProfile(tabA, user.email, user.password);
    const tabB = await browser.newPage();
    await waitForAuthState(tabB, 'logged-in');
    await go(tabB, 'sessions');
    await tabA.bringToFront();
    await go(tabA, 'sessions');

    await tabA.getByTestId('logout-all').click();
    await waitForAuthState(tabB, 'logged-out', 1000);

    await waitForAuthState(tabA, 'logged-out');
    for (const tab of [tabA, tabB]) {
      await tab.getByTestId('view-login').waitFor();
      expect(await tab.getByTestId('status').textContent()).toBe('You logged out on every device.');
    }
    expect(await t.auditEvents({ type: 'logout_all', userId: user.id })).toHaveLength(1);
  });

  it('a session revoked from the sessions screen leaves the list, and that device is logged out on its next call', async () => {
    const user = await newUser();
    const here = browser.page;
    const otherDevice = await launchBrowser(t.baseUrl);
    try {
      await logInAndSeeProfile(otherDevice.page, user.email, user.password);
      await logInAndSeeProfile(here, user.email, user.password);

      await go(here, 'sessions');
      const rows = here.getByTestId('session-row');
      await rows.nth(1).waitFor();
      expect(await rows.count()).toBe(2);
      const other = here.locator('[data-testid="session-row"][data-current="false"]');
      const otherId = await other.getAttribute('data-session-id');
      expect(otherId).toBeTruthy();
      await screenshot(here, 'sessions');

      await other.getByTestId('session-revoke').click();
      await here.locator(`[data-session-id="${otherId}"]`).waitFor({ state: 'detached' });
      await here.getByTestId('status').filter({ hasText: 'Session revoked' }).waitFor();
      expect(await rows.count()).toBe(1);
      expect(await rows.first().getAttribute('data-current')).toBe('true');

      // The server agrees: a fresh list no longer holds it.
      await go(here, 'profile');
      await go(here, 'sessions');
      await rows.first().waitFor();
      expect(await here.locator('[data-testid="session-row"]').evaluateAll((els) => els.length)).toBe(1);
      expect(await here.locator(`[data-session-id="${otherId}"]`).count()).toBe(0);

      // The other device still shows its profile, until its next request.
      expect(await authState(otherDevice.page)).toBe('logged-in');
      await go(otherDevice.page, 'sessions');
      await waitForAuthState(otherDevice.page, 'logged-out');
      await otherDevice.page.getByTestId('view-login').waitFor();
      expect(await route(otherDevice.page)).toBe('login');
      expect(await otherDevice.page.getByTestId('status').textContent()).toBe(
        'Your session ended. Please log in again.',
      );
      expect(otherDevice.takeProblems()).toEqual([]);

      // This device is unaffected.
      await go(here, 'profile');
      await here.getByTestId('profile-email').filter({ hasText: user.email }).waitFor();
      expect(await authState(here)).toBe('logged-in');
    } finally {
      await otherDevice.close();
    }
  });
});
