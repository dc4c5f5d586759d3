import { randomUUID } from 'node:crypto';
import type { CDPSession, Page } from 'playwright-core';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, freePort, type TestApp } from '../helpers/test-app';
import { registerUser } from '../factories/users';
import { go, launchBrowser, logIn, screenshot, waitForAuthState, type Browser } from './browser';

const newEmail = (name: string): string => `${name}-${randomUUID().slice(0, 8)}@example.test`;

/**
 * Passkeys through the real browser API, answered by Chromium's virtual authenticator (DevTools protocol
 * WebAuthn domain). WebAuthn refuses IP addresses as relying party IDs, so this suite serves the app as
 * http://localhost:<port> (a secure context) on a port picked before start-up, named in WEBAUTHN_ORIGINS.
 */
describe('passkeys in a real browser (Chromium virtual authenticator)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    t = await createTestApp({
      port,
      clock: FakeClock.running(),
      env: { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: origin },
    });
    browser = await launchBrowser(origin);
    page = browser.page;
    cdp = await browser.context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  it('adds a passkey, signs in with it alone, and uses it as the second factor after a password', async () => {
    const email = newEmail('katherine');
    // A confirmed account (registration now ends at "check your inbox"; mail-flows.browser-spec.ts drives that).
    await registerUser(t, { email });
    await logIn(page, email);
    await waitForAuthState(page, 'logged-in');
    await go(page, 'security');
    await page.fill('#passkey-name', 'Virtual key');
    await page.getByTestId('passkey-add').click();
    await page.getByTestId('passkey-row').filter({ hasText: 'Virtual key' }).waitFor();
    await page.getByTestId('recovery-codes').locator('li').first().waitFor();
    await screenshot(page, 'passkeys');

    await page.getByTestId('nav-logout').click();
    await waitForAuthState(page, 'logged-out');
    await go(page, 'login');
    await page.getByTestId('login-passkey').click();
    await waitForAuthState(page, 'logged-in');
    await page.getByTestId('profile-email').filter({ hasText: email }).waitFor();

    await page.getByTestId('nav-logout').click();
    await waitForAuthState(page, 'logged-out');
    await logIn(page, email);
    await page.getByTestId('second-factor-passkey').click();
    await waitForAuthState(page, 'logged-in');

    // Eleven minutes later, removing the passkey needs a fresh check: the dialog offers the passkey itself.
    t.clock.advance(11 * 60_000);
    await go(page, 'security');
    await page.getByTestId('passkey-remove').click();
    await page.getByTestId('step-up-dialog').waitFor();
    await page.getByTestId('step-up-passkey').click();
    await page.getByTestId('passkey-none').waitFor();
    expect(await page.getByTestId('step-up-dialog').count()).toBe(0);
  });
});
