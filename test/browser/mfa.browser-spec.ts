import { randomUUID } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Page } from 'playwright-core';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { registerUser } from '../factories/users';
import { go, launchBrowser, logIn, screenshot, waitForAuthState, type Browser } from './browser';

const newEmail = (name: string): string => `${name}-${randomUUID().slice(0, 8)}@example.test`;

describe('second factor and step-up in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await createTestApp({ clock: FakeClock.running() });
    browser = await launchBrowser(t.baseUrl);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(() => browser.reset());
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  /** The user's authenticator app: otpauth, reading the key the page shows, on the server's (fake) clock. */
  const codeFor = (secret: string): string =>
    new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp: t.clock.now().getTime() });

  it('enrols an authenticator app from the QR page, signs in with a code, and answers a step-up prompt', async () => {
    const email = newEmail('grace');
    // A confirmed account (registration now ends at "check your inbox"; mail-flows.browser-spec.ts drives that).
    await registerUser(t, { email });
    await logIn(page, email);
    await waitForAuthState(page, 'logged-in');

    await go(page, 'security');
    await page.getByTestId('totp-start').click();
    const qr = page.getByTestId('totp-qr');
    await qr.waitFor();
    // The QR code is drawn in the page (no third-party service, nothing inline that the CSP would block).
    expect(await qr.evaluate((canvas) => (canvas as unknown as { width: number }).width)).toBeGreaterThan(100);
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await screenshot(page, 'totp-enrolment');
    await page.fill('#totp-code', codeFor(secret));
    await page.getByTestId('totp-confirm').click();
    const codes = page.getByTestId('recovery-codes').locator('li');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    await page.getByTestId('recovery-codes-saved').click();
    await page.getByTestId('totp-status').filter({ hasText: 'on' }).waitFor();

    // Sign out and back in: the password alone is not enough any more.
    await page.getByTestId('nav-logout').click();
    await waitForAuthState(page, 'logged-out');
    await logIn(page, email);
    await page.getByTestId('second-factor-form').waitFor();
    expect(await browser.context.cookies()).toEqual([expect.objectContaining({ name: '__Host-fgp' })]);
    t.clock.advance(30_000); // the enrolment's code is spent
    await page.fill('#second-factor-code', '000000');
    await page.getByTestId('second-factor-submit').click();
    await page.getByTestId('second-factor-error').filter({ hasText: 'not accepted' }).waitFor();
    await page.fill('#second-factor-code', codeFor(secret));
    await page.getByTestId('second-factor-submit').click();
    await waitForAuthState(page, 'logged-in');

    // Eleven minutes later, new recovery codes need a fresh check: the dialog asks, then the action goes through.
    t.clock.advance(11 * 60_000);
    await go(page, 'security');
    await page.getByTestId('recovery-codes-regenerate').click();
    await page.getByTestId('step-up-dialog').waitFor();
    await screenshot(page, 'step-up-prompt');
    t.clock.advance(30_000);
    await page.fill('#step-up-code', codeFor(secret));
    await page.getByTestId('step-up-submit').click();
    await page.getByTestId('recovery-codes').locator('li').first().waitFor();
    expect(await page.getByTestId('step-up-dialog').count()).toBe(0);
  });

  it('a cancelled step-up changes nothing and says so', async () => {
    const email = newEmail('hopper');
    // A confirmed account (registration now ends at "check your inbox"; mail-flows.browser-spec.ts drives that).
    await registerUser(t, { email });
    await logIn(page, email);
    await waitForAuthState(page, 'logged-in');
    t.clock.advance(11 * 60_000);
    await go(page, 'sessions');
    await page.getByTestId('logout-all').click();
    await page.getByTestId('step-up-dialog').waitFor();
    await page.getByTestId('step-up-cancel').click();
    expect(await page.getByTestId('step-up-dialog').count()).toBe(0);
    await page.getByTestId('sessions-error').filter({ hasText: 'Nothing was changed' }).waitFor();
    await waitForAuthState(page, 'logged-in');
    // And with the password (no second factor on this account), the same action goes through.
    await page.getByTestId('logout-all').click();
    await page.getByTestId('step-up-dialog').waitFor();
    await page.fill('#step-up-password', 'violet-harbor-tundra-42');
    await page.getByTestId('step-up-submit').click();
    await waitForAuthState(page, 'logged-out');
  });
});
