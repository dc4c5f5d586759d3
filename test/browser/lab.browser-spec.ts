import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { promoteToAdmin, registerUser } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import {
  authState,
  go,
  launchBrowser,
  logInAndSeeProfile,
  screenshot,
  scrollToTop,
  SCREENSHOTS,
  waitForAuthState,
  type Browser,
  type PageElement,
} from './browser';

const DBSC_UNSUPPORTED = 'Your browser does not support DBSC; this session uses the fingerprint cookie.';

/** The safe demonstrations, run by "Run all safe demos", and the status the server must answer each with. */
const SAFE_DEMOS: [name: string, refusedWith: number | null][] = [
  ['storage', null],
  ['alg-none', 401],
  ['other-user-agent', 401],
  ['no-fingerprint-cookie', 401],
  ['csrf', 403],
];

describe('the security lab in a real browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({ env: { LAB_ENABLED: 'true' }, clock: FakeClock.running() });
    browser = await launchBrowser(t.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  const responseOf = async (page: Page, name: string): Promise<unknown> =>
    JSON.parse((await page.getByTestId(`lab-${name}-response`).textContent()) ?? 'null');

  it('every attack is refused, for the right reason, and the reuse demo logs every tab out', async () => {
    const user = await registerUser(t, { email: `lab-${randomUUID().slice(0, 8)}@example.test` });
    const page = browser.page;
    await logInAndSeeProfile(page, user.email, user.password);
    const otherTab = await browser.newPage();
    await waitForAuthState(otherTab, 'logged-in');
    // A background tab gets no animation frames, which Playwright's clicks wait for.
    await page.bringToFront();

    await go(page, 'lab');
    // Debian's Chromium on Linux has no key provider for DBSC (README): the session keeps its fingerprint cookie.
    expect(await page.getByTestId('lab-dbsc-unsupported').textContent()).toBe(DBSC_UNSUPPORTED);
    await page.getByTestId('lab-run-all').click();
    for (const [name] of SAFE_DEMOS) await page.getByTestId(`lab-${name}-verdict`).waitFor();

    for (const [name, status] of SAFE_DEMOS) {
      expect({ name, verdict: await page.getByTestId(`lab-${name}-verdict`).textContent() }).toEqual({
        name,
        verdict: 'refused',
      });
      if (status !== null)
        expect({ name, response: await responseOf(page, name) }).toMatchObject({ name, response: { status } });
      expect(await page.getByTestId(`lab-${name}-error`).count()).toBe(0);
    }
    // The session hint ("1", no credential) is the one cookie a script can read.
    expect(await responseOf(page, 'storage')).toEqual({
      'document.cookie': '__Host-session-hint=1',
      localStorage: {},
      sessionStorage: {},
    });
    // The forged logout-all changed nothing: the session is still there.
    expect(await page.getByTestId('lab-csrf-check').textContent()).toContain('Still logged in');
    expect(await authState(page)).toBe('logged-in');
    expect(await t.auditEvents({ type: 'logout_all' })).toEqual([]);

    // DPoP: the lab logs in once more as a DPoP client, then a thief without the key is refused.
    await page.locator('#lab-dpop-password').fill(user.password);
    await page.getByTestId('lab-dpop-run').click();
    await page.getByTestId('lab-dpop-verdict').waitFor();
    expect(await page.getByTestId('lab-dpop-verdict').textContent()).toBe('refused');
    const dpopSteps = await page
      .getByTestId('lab-dpop-step')
      .evaluateAll((items: PageElement[]) => items.map((item) => item.getAttribute('data-status')));
    expect(dpopSteps).toEqual(['200', '200', '401', '401', '401']);
    expect(await page.locator('#lab-dpop-password').inputValue()).toBe('');

    // The destructive one asks first; cancelling sends nothing.
    await page.getByTestId('lab-refresh-reuse-run').click();
    await page.getByTestId('lab-refresh-reuse-warning').waitFor();
    await page.getByTestId('lab-refresh-reuse-cancel').click();
    await page.getByTestId('lab-refresh-reuse-run').waitFor();
    expect(await t.auditEvents({ type: 'refresh_token_reuse' })).toEqual([]);

    await page.getByTestId('lab-refresh-reuse-run').click();
    await page.getByTestId('lab-refresh-reuse-confirm').click();
    await page.getByTestId('lab-refresh-reuse-verdict').waitFor();
    expect(await page.getByTestId('lab-refresh-reuse-verdict').textContent()).toBe('refused');
    const steps = await page
      .getByTestId('lab-refresh-reuse-step')
      .evaluateAll((items: PageElement[]) => items.map((item) => item.getAttribute('data-status')));
    expect(steps).toEqual(['200', '401', '401']);
    expect(await page.getByTestId('lab-refresh-reuse-check').textContent()).toContain(
      'The session was killed: GET /api/users/me now answers 401',
    );
    expect(await t.auditEvents({ type: 'refresh_token_reuse', userId: user.id })).toHaveLength(1);
    await page.getByTestId('lab-refresh-reuse-done').waitFor();
    await screenshot(page, 'lab');
    await scrollToTop(page);
    await screenshot(page, 'lab-top', { fullPage: false });
    await page.getByTestId('lab-refresh-reuse').screenshot({ path: `${SCREENSHOTS}/lab-refresh-reuse.png` });

    await page.getByTestId('lab-refresh-reuse-done').click();
    for (const tab of [page, otherTab]) {
      await waitForAuthState(tab, 'logged-out');
      await tab.getByTestId('view-login').waitFor();
    }
    // And the server agrees: a reload finds no session to restore.
    await page.reload();
    await waitForAuthState(page, 'logged-out');

    // The attacks are on record: an admin finds them in the audit log, and the reuse among the alerts.
    await promoteToAdmin(t, user);
    await logInAndSeeProfile(page, user.email, user.password);
    await go(page, 'admin/audit');
    await page.locator('[data-testid="audit-row"][data-type="refresh_token_reuse"]').first().waitFor();
    expect(await page.locator('[data-testid="audit-row"][data-type="csrf_rejected"]').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('audit-next').isDisabled()).toBe(true); // one page of events
    await screenshot(page, 'admin-audit');
    await go(page, 'admin/alerts');
    await page.locator('[data-testid="alert-item"][data-rule="refresh_token_reuse"]').first().waitFor();
    expect(await page.getByTestId('alert-item').count()).toBe(1);
    expect(await page.getByTestId('alerts-next').isVisible()).toBe(false); // nothing more to load
    await screenshot(page, 'admin-alerts');
  });
});
