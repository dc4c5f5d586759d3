import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { registerUser, STRONG_PASSWORD } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import {
  authState,
  go,
  launchBrowser,
  logIn,
  logInAndSeeProfile,
  readableByScripts,
  register,
  route,
  screenshot,
  type Browser,
} from './browser';

const JWT_LIKE = /eyJ[\w-]+\.[\w-]+\./;

const newEmail = (name: string): string => `${name}-${randomUUID().slice(0, 8)}@example.test`;

describe('accounts in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // A low lockout threshold, so the lockout test needs few failures (the default is 10).
    // MAIL_OUTBOX: registration is confirmed through the development outbox, as with `npm run start:dev`.
    t = await createTestApp({
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '3', MAIL_OUTBOX: 'true' },
      clock: FakeClock.running(),
    });
    browser = await launchBrowser(t.baseUrl);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  beforeEach(() => browser.reset());
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  it('registers, logs in and shows the profile, with every token out of reach of page scripts', async () => {
    const email = newEmail('ada');
    await go(page, 'login');
    await screenshot(page, 'login');
    await go(page, 'register');
    await screenshot(page, 'register');

    // Registration asks the user to confirm the address; the development outbox holds the link.
    await register(page, email);
    await page
      .locator('[data-testid="register-error"].message-success')
      .filter({ hasText: 'Check your inbox' })
      .waitFor();
    expect(await authState(page)).toBe('logged-out');
    await page.getByTestId('outbox-link').click();
    await page.getByTestId('outbox-to').filter({ hasText: email }).waitFor();
    await page.getByTestId('outbox-link-verify_email').first().click();
    await page
      .getByTestId('verify-email-result')
      .filter({ hasText: `${email} is confirmed` })
      .waitFor();
    expect(await browser.context.cookies()).toEqual([]);

    await logInAndSeeProfile(page, email);
    expect(await route(page)).toBe('profile');
    await page.getByTestId('token-expires').waitFor();
    await screenshot(page, 'profile');

    const all = await browser.context.cookies();
    expect(all.map((cookie) => cookie.name).sort()).toEqual([
      '__Host-access',
      '__Host-fgp',
      '__Host-session-hint',
      '__Secure-refresh',
    ]);
    // The hint is readable on purpose ("1": a session exists); every credential is HttpOnly.
    expect(all.find((cookie) => cookie.name === '__Host-session-hint')).toMatchObject({ value: '1', httpOnly: false });
    const cookies = all.filter((cookie) => cookie.name !== '__Host-session-hint');
    for (const cookie of cookies) {
      expect({
        name: cookie.name,
        httpOnly: cookie.httpOnly,
        secure: cookie.secure,
        sameSite: cookie.sameSite,
      }).toEqual({ name: cookie.name, httpOnly: true, secure: true, sameSite: 'Strict' });
    }
    expect(cookies.find((cookie) => cookie.name === '__Secure-refresh')?.path).toBe('/api/auth');
    expect(cookies.find((cookie) => cookie.name === '__Host-access')?.value).toMatch(JWT_LIKE);

    // What an injected script could read: none of it may be, or contain, a token.
    const readable = await readableByScripts(page);
    const everything = [readable.cookie, readable.local, readable.session, await page.content()].join('\n');
    expect(everything).not.toMatch(JWT_LIKE);
    for (const cookie of cookies) expect(everything).not.toContain(cookie.value);
    expect(readable).toEqual({ cookie: '__Host-session-hint=1', local: '[]', session: '[]' });
  });

  it('shows why a login, a registration or a password change was refused', async () => {
    const { email } = await registerUser(t, { email: newEmail('grace') });

    // A wrong password and an unknown email read the same: the form does not reveal which accounts exist.
    for (const [who, password] of [
      [email, 'not-the-right-password-7'],
      [newEmail('nobody'), STRONG_PASSWORD],
    ]) {
      await logIn(page, who, password);
      await page.getByTestId('login-error').filter({ hasText: 'Email or password is incorrect' }).waitFor();
      expect(await authState(page)).toBe('logged-out');
    }
    await screenshot(page, 'login-refused');

    // A taken address gets the same answer as a new one: the page does not reveal which accounts exist.
    await register(page, email);
    await page
      .locator('[data-testid="register-error"].message-success')
      .filter({ hasText: 'Check your inbox' })
      .waitFor();
    expect(await authState(page)).toBe('logged-out');

    // The server's validation messages are shown as they are.
    await register(page, newEmail('weak'), 'password1234');
    await page
      .getByTestId('register-error')
      .filter({ hasText: /password/i })
      .waitFor();
    expect(await page.getByTestId('register-error').textContent()).not.toContain('Check your inbox');

    await logInAndSeeProfile(page, email);
    await go(page, 'password');
    await screenshot(page, 'password');

    // A wrong current password (the server answers 400) must not end the session, nor be sent twice.
    const passwordPosts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/users/me/password')) passwordPosts.push('POST');
    });
    await page.fill('#password-current', 'not-the-right-password-7');
    await page.fill('#password-new', 'cobalt-meadow-lantern-58');
    await page.fill('#password-confirm', 'cobalt-meadow-lantern-58');
    await page.getByTestId('password-submit').click();
    await page
      .getByTestId('password-error')
      .filter({ hasText: /current ?password is incorrect/i })
      .waitFor();
    expect(passwordPosts).toHaveLength(1);
    expect(await authState(page)).toBe('logged-in');

    await page.fill('#password-current', STRONG_PASSWORD);
    await page.fill('#password-new', 'cobalt-meadow-lantern-58');
    await page.fill('#password-confirm', 'cobalt-meadow-lantern-58');
    await page.getByTestId('password-submit').click();
    await page.locator('[data-testid="password-error"].message-success').waitFor();
    expect(await page.getByTestId('password-error').textContent()).toContain('Password changed');
    expect(await authState(page)).toBe('logged-in');
  });

  it('a locked-out login says when to try again, and the right password does not get through', async () => {
    const { email } = await registerUser(t, { email: newEmail('locked') });
    const loginAnswer = async (password: string): Promise<number> => {
      const answer = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/auth/login');
      await logIn(page, email, password);
      return (await answer).status();
    };

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await loginAnswer('not-the-right-password-7')).toBe(401);
      await page.getByTestId('login-error').filter({ hasText: 'Email or password is incorrect' }).waitFor();
    }
    expect(await loginAnswer(STRONG_PASSWORD)).toBe(429);
    await page
      .getByTestId('login-error')
      .filter({ hasText: /^Too many attempts, try again in \d+ seconds$/ })
      .waitFor();
    expect(await authState(page)).toBe('logged-out');
    expect(await browser.context.cookies()).toEqual([]);
    await screenshot(page, 'login-locked');
  });
});
