import { createTestApp, type TestApp } from '../helpers/test-app';
import { go, launchBrowser, type Browser } from './browser';

/** ASVS 5.0 6.2.6 and 6.2.7: masked fields that password managers and pasting can fill. */
describe('password fields', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    t = await createTestApp();
    browser = await launchBrowser(t.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });
  afterEach(() => expect(browser.takeProblems()).toEqual([]));

  it.each([
    ['login', '#login-password', 'current-password'],
    ['register', '#register-password', 'new-password'],
  ])(
    'the %s form masks the password, names it for password managers and takes pasted text',
    async (view, selector, autocomplete) => {
      const { page } = browser;
      await browser.reset();
      await go(page, view);
      const field = page.locator(selector);
      expect(await field.getAttribute('type')).toBe('password');
      expect(await field.getAttribute('autocomplete')).toBe(autocomplete);
      // insertText is what a paste or a password manager does: no handler may refuse it.
      await field.focus();
      await page.keyboard.insertText('pasted-violet-harbor-42');
      expect(await field.inputValue()).toBe('pasted-violet-harbor-42');
    },
  );
});
