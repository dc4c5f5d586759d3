import { randomUUID } from 'node:crypto';
import { registerUser } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { go, launchBrowser, logInAndSeeProfile, waitForAuthState, watchFailures, type Browser } from './browser';

/**
 * Anywhere but development (here NODE_ENV=test, MAIL_OUTBOX unset) GET /api/dev/outbox is a 404. The page
 * says whether the outbox exists, so the screens that would link to it never ask: no failed request, no
 * console error. (With the outbox, first-hour and accounts follow the link these screens then show.)
 */
describe('screens that mention the development outbox, on a server without it', () => {
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
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  it('register, forgot, change email, the outbox and the reset-link lab never request /api/dev/outbox', async () => {
    const user = await registerUser(t, { email: `olive-${randomUUID().slice(0, 8)}@example.test` });
    const page = await browser.context.newPage();
    const watched = watchFailures(page);
    await page.goto(`${t.baseUrl}/`);
    await waitForAuthState(page, 'logged-out');

    for (const screen of ['register', 'forgot']) {
      await go(page, screen);
      await page.getByTestId(`view-${screen}`).waitFor();
    }
    await go(page, 'outbox');
    await page.getByTestId('view-outbox').getByText('There is no outbox here').waitFor();
    await go(page, 'lab/reset-links');
    await page.getByTestId('lab-reset-run').click();
    await page.getByTestId('lab-reset-steps').getByText('which this server does not have').waitFor();
    await logInAndSeeProfile(page, user.email, user.password);
    await go(page, 'email');
    await page.getByTestId('view-email').waitFor();

    expect(await page.getByTestId('outbox-link').count()).toBe(0);
    expect(watched.failures).toEqual([]);
    expect(watched.apiRequests.filter((request) => request.includes('/api/dev/outbox'))).toEqual([]);
    // The demo stopped before making its throwaway account.
    expect(watched.apiRequests).not.toContain('POST /api/auth/register');
    await page.close();
  });
});
