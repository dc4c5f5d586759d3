import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { UserFlag } from '../../src/anomaly/entities/user-flag.entity';
import { loginBearer, promoteToAdmin, registerUser, TEST_USER_AGENT, type BearerSession } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import {
  docScreenshots,
  go,
  launchBrowser,
  logInAndSeeProfile,
  register,
  waitForAuthState,
  watchFailures,
  type Browser,
  type PageElement,
} from './browser';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const newEmail = (name: string): string => `${name}-${randomUUID().slice(0, 8)}@example.test`;

/**
 * What a newcomer meets in the first hour: a quiet logged-out load, forms that speak in labels, the admin
 * alerts and the lab. Every screen is photographed at 1280 and 390 px into docs/screenshots/.
 */
describe('the first hour in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // MAIL_OUTBOX: a new account is confirmed through the development outbox, as with `npm run start:dev`.
    t = await createTestApp({ env: { LAB_ENABLED: 'true', MAIL_OUTBOX: 'true' }, clock: FakeClock.running() });
    browser = await launchBrowser(t.baseUrl);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(() => browser.reset());
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  it('a page load without a session sends no request that fails, and logs no error', async () => {
    const fresh = await browser.context.newPage();
    const watched = watchFailures(fresh);
    await fresh.goto(`${t.baseUrl}/`);
    await waitForAuthState(fresh, 'logged-out');
    await fresh.getByTestId('view-login').waitFor();
    await fresh.reload();
    await waitForAuthState(fresh, 'logged-out');
    expect(watched).toEqual({ failures: [], apiRequests: [] });
    await fresh.close();

    await go(page, 'login');
    await docScreenshots(page, 'login');
    await go(page, 'lab');
    await docScreenshots(page, 'lab-logged-out');
  });

  it('forms speak in labels: password rules on screen, field errors named as the fields are, account created and confirmed', async () => {
    await go(page, 'register');
    expect(await page.locator('#register-password-hint').textContent()).toContain('12 to 128 characters');
    await page.fill('#register-email', newEmail('short'));
    await page.fill('#register-password', 'too short');
    await page.getByTestId('register-submit').click();
    await page
      .locator('#register-password-error')
      .filter({ hasText: 'Password must be at least 12 characters' })
      .waitFor();
    expect(await page.locator('#register-password').getAttribute('aria-describedby')).toBe(
      'register-password-error register-password-hint',
    );
    // The busy button kept the focus: the first invalid field has it now.
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id,
      ),
    ).toBe('register-password');
    await docScreenshots(page, 'register-errors');

    const email = newEmail('newcomer');
    await register(page, email);
    await page
      .locator('[data-testid="register-error"].message-success')
      .filter({ hasText: 'Check your inbox' })
      .waitFor();
    await page.getByTestId('outbox-link').click();
    await page.getByTestId('outbox-to').filter({ hasText: email }).waitFor();
    await page.getByTestId('outbox-link-verify_email').first().click();
    await page.getByTestId('verify-email-result').filter({ hasText: 'is confirmed' }).waitFor();
    await logInAndSeeProfile(page, email);
    await docScreenshots(page, 'profile');

    await go(page, 'password');
    await page.fill('#password-current', 'not my password at all');
    await page.fill('#password-new', 'a brand new passphrase here');
    await page.fill('#password-confirm', 'a brand new passphrase here');
    await page.getByTestId('password-submit').click();
    await page.getByTestId('password-error').filter({ hasText: 'Current password is incorrect' }).waitFor();
    expect(await page.getByTestId('password-error').textContent()).not.toContain('currentPassword');
    expect(await page.locator('#password-current-error').textContent()).toBe('Current password is incorrect');
    expect(await page.locator('#password-current').getAttribute('aria-invalid')).toBe('true');
    await docScreenshots(page, 'password-errors');

    await go(page, 'sessions');
    await page.getByTestId('view-sessions').locator('table').waitFor();
    await docScreenshots(page, 'sessions');
  });

  it('the alerts screen says how bad, what, who and what Warden did, and acts on it', async () => {
    const victim = await registerUser(t, { email: newEmail('victim') });
    await reuseRefreshToken(await loginBearer(t, victim));
    await loginBearer(t, victim, FIREFOX);
    const admin = await registerUser(t, { email: newEmail('admin') });
    await promoteToAdmin(t, admin);
    await logInAndSeeProfile(page, admin.email, admin.password);

    await go(page, 'admin/alerts');
    const reuse = page.locator('[data-testid="alert-item"][data-rule="refresh_token_reuse"]');
    const newDevice = page.locator('[data-testid="alert-item"][data-rule="new_device_login"]');
    await reuse.waitFor();
    await newDevice.waitFor();
    expect(await reuse.getByTestId('alert-severity').textContent()).toBe('High');
    expect(await reuse.locator('h2').textContent()).toBe('Refresh token reused');
    expect(await reuse.getByTestId('alert-who').textContent()).toContain(victim.email);
    expect(await reuse.getByTestId('alert-did').textContent()).toContain(
      'Ended the session. Flagged the user for review.',
    );
    // The new-device alert of the same user does not borrow the reuse alert's flag.
    expect(await newDevice.getByTestId('alert-severity').textContent()).toBe('Low');
    expect(await newDevice.getByTestId('alert-flag').count()).toBe(0);
    expect(await newDevice.getByTestId('alert-clear-flag').count()).toBe(0);
    expect(await page.getByTestId('view-alerts').textContent()).not.toMatch(/userFlag|\{"/);
    await docScreenshots(page, 'admin-alerts');

    // Filters are choices: one rule, then all of them again.
    await page.getByTestId('alerts-rule').selectOption('new_device_login');
    await reuse.waitFor({ state: 'detached' });
    expect(await page.getByTestId('alert-item').count()).toBe(1);
    await page.getByTestId('alerts-rule').selectOption('');
    await reuse.waitFor();

    await reuse.getByTestId('alert-clear-flag').click();
    await reuse.getByTestId('alert-flag-cleared').waitFor();
    expect(await t.dataSource.getRepository(UserFlag).findBy({ userId: victim.id })).toEqual([]);

    const session = await loginBearer(t, victim);
    await newDevice.getByTestId('alert-revoke').click();
    await newDevice.getByText(`Every session of ${victim.email} has ended`).waitFor();
    await t.http().get('/api/users/me').set(session.headers).expect(401);

    // In the audit log the type is a choice and an alert is not a "failure".
    await go(page, 'admin/audit');
    await page.locator('#audit-type').selectOption('alert_raised');
    await page.getByTestId('audit-apply').click();
    const row = page.locator('[data-testid="audit-row"][data-type="alert_raised"]').first();
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('alert');
    // A refused filter is named by its label, under its field.
    await page.fill('#audit-ip', 'not an address');
    await page.getByTestId('audit-apply').click();
    await page.locator('#audit-ip-error').filter({ hasText: 'IP address must be an ip address' }).waitFor();
    expect(await page.locator('#audit-ip').getAttribute('aria-invalid')).toBe('true');
    await page.fill('#audit-ip', '');
    await page.locator('#audit-type').selectOption('');
    await page.getByTestId('audit-apply').click();
    await page.locator('[data-testid="audit-row"][data-type="login"]').first().waitFor();
    await docScreenshots(page, 'admin-audit');
  });

  it('lab panes show the whole exchange, and "Back to login" follows the step results', async () => {
    const user = await registerUser(t, { email: newEmail('lab') });
    await logInAndSeeProfile(page, user.email, user.password);
    await go(page, 'lab');
    await page.getByTestId('lab-run-all').click();
    await page.getByTestId('lab-csrf-verdict').waitFor();
    const panes = page.locator('[data-testid="view-lab"] pre');
    const clipped = await panes.evaluateAll((elements: PageElement[]) =>
      elements
        .filter((element) => element.scrollHeight > element.clientHeight + 1)
        .map((element) => element.textContent),
    );
    expect(clipped).toEqual([]);
    // The forged token is in the request pane, and the pane is focusable and named for screen readers.
    const forged = page.getByTestId('lab-alg-none-request');
    expect(await forged.textContent()).toContain('"Cookie": "__Host-access=eyJ');
    expect(await forged.getAttribute('tabindex')).toBe('0');
    expect(await forged.getAttribute('aria-label')).toBe('Request: Unsigned token ("alg": "none")');
    await page.getByTestId('status').filter({ hasText: 'Cross-site request forgery: refused' }).waitFor();
    await docScreenshots(page, 'lab');

    await page.getByTestId('lab-refresh-reuse-run').click();
    await page.getByTestId('lab-refresh-reuse-confirm').click();
    const back = page.getByTestId('lab-refresh-reuse-done');
    await back.waitFor();
    const backFollowsSteps = await back.evaluate((button: PageElement) => {
      const steps = button
        .closest('[data-testid="lab-refresh-reuse"]')
        ?.querySelector('[data-testid="lab-refresh-reuse-steps"]');
      // Node.DOCUMENT_POSITION_FOLLOWING = 4: the steps come before the button.
      return steps ? (steps.compareDocumentPosition(button) & 4) === 4 : false;
    });
    expect(backFollowsSteps).toBe(true);
    await page
      .getByTestId('lab-refresh-reuse')
      .screenshot({ path: `${__dirname}/../../docs/screenshots/lab-refresh-reuse-1280.png` });
    await back.click();
    await waitForAuthState(page, 'logged-out');
  });

  /** Spends a refresh token twice: the reuse alert ends the session and flags the user. */
  async function reuseRefreshToken(session: BearerSession): Promise<void> {
    const body = { transport: 'bearer', refreshToken: session.refreshToken };
    await t.http().post('/api/auth/refresh').set('User-Agent', TEST_USER_AGENT).send(body).expect(200);
    await t.http().post('/api/auth/refresh').set('User-Agent', TEST_USER_AGENT).send(body).expect(401);
  }
});
