import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { registerUser, STRONG_PASSWORD } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { go, launchBrowser, logIn, logInAndSeeProfile, screenshot, waitForAuthState, type Browser } from './browser';

const NEW_PASSWORD = 'saffron-canyon-ledger-64';
const newEmail = (name: string): string => `${name}-${randomUUID().slice(0, 8)}@example.test`;

/** Verification, reset and email change in Chromium, reading the mails from the development outbox. */
describe('mailed links in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAIL_OUTBOX: 'true' }, clock: FakeClock.running() });
    browser = await launchBrowser(t.baseUrl);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(() => browser.reset());
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  /** Opens the newest `template` link to `to` from the outbox screen; returns its href. */
  async function openFromOutbox(to: string, template: string): Promise<string> {
    await go(page, 'outbox');
    const mail = page.locator('section.card', { has: page.getByTestId('outbox-to').filter({ hasText: to }) });
    const link = mail.getByTestId(`outbox-link-${template}`).first();
    await link.waitFor();
    const href = (await link.getAttribute('href')) ?? '';
    await link.click();
    return href;
  }

  it('verifies a new account through the outbox; the token leaves the address bar', async () => {
    const email = newEmail('vera');
    await go(page, 'register');
    await page.fill('#register-email', email);
    await page.fill('#register-password', STRONG_PASSWORD);
    await page.getByTestId('register-submit').click();
    await page.locator('[data-testid="register-error"].message-success').waitFor();

    await logIn(page, email);
    await page.getByTestId('login-error').filter({ hasText: 'Confirm your email address first' }).waitFor();
    expect(page.url()).not.toContain('token=');

    const href = await openFromOutbox(email, 'verify_email');
    expect(href).toMatch(/^#\/verify-email\?token=[\w-]{43}$/);
    await page.getByTestId('verify-email-result').filter({ hasText: 'is confirmed' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await screenshot(page, 'verify-email');
    await logInAndSeeProfile(page, email);
  });

  it('resets a forgotten password; the link works once', async () => {
    const user = await registerUser(t, { email: newEmail('rosa') });
    await go(page, 'login');
    await page.getByTestId('login-to-forgot').click();
    await page.fill('#forgot-email', user.email);
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-message').filter({ hasText: 'If an account uses this address' }).waitFor();
    await screenshot(page, 'forgot');

    const href = await openFromOutbox(user.email, 'password_reset');
    await page.fill('#reset-password', NEW_PASSWORD);
    await screenshot(page, 'reset-password');
    await page.getByTestId('reset-submit').click();
    await page.getByTestId('view-login').waitFor();
    await logInAndSeeProfile(page, user.email, NEW_PASSWORD);

    // The same link again, after logging out: refused.
    await page.getByTestId('nav-logout').click();
    await waitForAuthState(page, 'logged-out');
    await page.goto(`${t.baseUrl}/${href}`);
    await page.fill('#reset-password', 'another-fresh-phrase-12');
    await page.getByTestId('reset-submit').click();
    await page.getByTestId('reset-error').filter({ hasText: 'already used' }).waitFor();
  });

  it('changes the email: confirmed from the new address, the old one is told', async () => {
    const user = await registerUser(t, { email: newEmail('eve') });
    const target = newEmail('eve-new');
    await logInAndSeeProfile(page, user.email);
    await go(page, 'email');
    await page.fill('#email-new', target);
    await page.fill('#email-current-password', STRONG_PASSWORD);
    await page.getByTestId('email-submit').click();
    await page.getByTestId('email-message').filter({ hasText: 'Check the new address' }).waitFor();
    await screenshot(page, 'change-email');

    await openFromOutbox(target, 'email_change_verify');
    await page
      .getByTestId('confirm-email-result')
      .filter({ hasText: `now ${target}` })
      .waitFor();
    await go(page, 'outbox');
    await page.getByTestId('outbox-link-email_changed_notice').first().waitFor();
  });

  it('the lab shows a reset link dying when a newer one is sent, and working only once', async () => {
    await go(page, 'lab');
    await page.getByTestId('lab-to-reset-links').click();
    await page.getByTestId('lab-reset-run').click();
    const steps = page.getByTestId('lab-reset-step');
    await steps.nth(2).waitFor();
    expect(await steps.allTextContents()).toEqual([
      'The first link, after a second one was sent: 400 refused',
      'The newest link: 204 password changed',
      'The newest link, a second time: 400 refused',
    ]);
    await screenshot(page, 'lab-reset-links');
  });
});

describe('UNVERIFIED_LOGIN=allow in a real browser', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp({ env: { MAIL_OUTBOX: 'true', UNVERIFIED_LOGIN: 'allow' }, clock: FakeClock.running() });
    browser = await launchBrowser(t.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  it('logs in before the address is confirmed, and the profile says so until it is', async () => {
    const page = browser.page;
    const user = await registerUser(t, { email: newEmail('alma'), verified: false });
    await logInAndSeeProfile(page, user.email);
    await page.getByTestId('profile-unverified').waitFor();
    await go(page, 'outbox');
    await page.getByTestId('outbox-link-verify_email').first().click();
    await page.getByTestId('verify-email-result').filter({ hasText: 'is confirmed' }).waitFor();
    await go(page, 'profile');
    await page.getByTestId('profile-email').waitFor();
    expect(await page.getByTestId('profile-unverified').count()).toBe(0);
  });
});
