import { randomUUID } from 'node:crypto';
import { Note } from '../../src/notes/note.entity';
import { registerUser, type TestUser } from '../factories/users';
import { FakeClock } from '../helpers/fake-clock';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { docScreenshots, go, launchBrowser, logInAndSeeProfile, type Browser } from './browser';

declare const document: { activeElement: { id: string; dataset: Record<string, string | undefined> } | null };

/** The notes screen (client/src/views/notes.ts) driving the reference module through a real browser. */
describe('the notes screen', () => {
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

  const newUser = (): Promise<TestUser> => registerUser(t, { email: `nora-${randomUUID().slice(0, 8)}@example.test` });
  const stored = (user: TestUser) => t.dataSource.getRepository(Note).findBy({ ownerId: user.id });
  const focused = () =>
    browser.page.evaluate(() => ({
      id: document.activeElement?.id ?? '',
      testid: document.activeElement?.dataset['testid'] ?? '',
    }));

  it('adds, edits and deletes a note, saying so each time and keeping the focus where the user works', async () => {
    const user = await newUser();
    const page = browser.page;
    await logInAndSeeProfile(page, user.email, user.password);
    await page.getByTestId('nav-notes').click();
    await page.getByTestId('notes-empty').waitFor();

    // Add.
    await page.getByLabel('Title', { exact: true }).fill('Groceries');
    await page.getByLabel('Text', { exact: true }).fill('eggs\nmilk');
    await page.getByTestId('note-submit').click();
    await page.getByTestId('status').filter({ hasText: 'Note added.' }).waitFor();
    const item = page.getByTestId('note-item');
    await item.getByTestId('note-title').filter({ hasText: 'Groceries' }).waitFor();
    expect(await item.getByTestId('note-body').textContent()).toBe('eggs\nmilk');
    expect(await focused()).toMatchObject({ id: 'note-title' });
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('');
    expect(await stored(user)).toEqual([expect.objectContaining({ title: 'Groceries', body: 'eggs\nmilk' })]);

    // Edit: the form takes the note, and a refusal from the server is shown under its field.
    await item.getByRole('button', { name: 'Edit “Groceries”' }).click();
    expect(await focused()).toMatchObject({ id: 'note-title' });
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe('Groceries');
    expect(await page.getByTestId('note-submit').textContent()).toBe('Save changes');
    await page.getByLabel('Text', { exact: true }).fill('eggs \u202Emilk');
    await page.getByTestId('note-submit').click();
    await page.locator('#note-body-error').filter({ hasText: 'Text must not contain control characters' }).waitFor();
    expect(await page.getByLabel('Text', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Title', { exact: true }).fill('Shopping');
    await page.getByLabel('Text', { exact: true }).fill('eggs, milk, bread');
    await page.getByTestId('note-submit').click();
    await page.getByTestId('status').filter({ hasText: 'Note saved.' }).waitFor();
    await item.getByTestId('note-title').filter({ hasText: 'Shopping' }).waitFor();
    expect(await focused()).toMatchObject({ testid: 'note-edit' });
    expect(await page.getByTestId('note-submit').textContent()).toBe('Add note');
    expect(await stored(user)).toEqual([expect.objectContaining({ title: 'Shopping', body: 'eggs, milk, bread' })]);
    await docScreenshots(page, 'notes');

    // The form's own check, before any request.
    await page.getByTestId('note-submit').click();
    await page.getByTestId('note-message').filter({ hasText: 'Title is required' }).waitFor();

    // Delete.
    await item.getByRole('button', { name: 'Delete “Shopping”' }).click();
    await page.getByTestId('status').filter({ hasText: 'Deleted “Shopping”.' }).waitFor();
    await page.getByTestId('notes-empty').waitFor();
    expect(await stored(user)).toEqual([]);
    expect(await focused()).toMatchObject({ id: 'notes-heading' });

    // Each write went through the cookie transport, with its CSRF header, and was audited.
    for (const type of ['note_created', 'note_updated', 'note_deleted']) {
      const events = await t.auditEvents({ type, userId: user.id, success: true });
      expect(events).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ transport: 'cookie' }) })]);
    }
  });

  it('pages through more notes than one page holds', async () => {
    const user = await newUser();
    const start = Date.now();
    await t.dataSource.getRepository(Note).insert(
      Array.from({ length: 12 }, (_, i) => ({
        id: randomUUID(),
        ownerId: user.id,
        title: `Note ${i + 1}`,
        body: '',
        createdAt: new Date(start + i * 1000),
        updatedAt: new Date(start + i * 1000),
      })),
    );
    const page = browser.page;
    await logInAndSeeProfile(page, user.email, user.password);
    await go(page, 'notes');
    const titles = page.getByTestId('note-title');
    await titles.first().filter({ hasText: 'Note 12' }).waitFor();
    expect(await titles.count()).toBe(10);
    expect(await page.getByTestId('notes-prev').isDisabled()).toBe(true);

    await page.getByTestId('notes-next').click();
    await page.getByTestId('notes-page').filter({ hasText: 'Page 2' }).waitFor();
    expect(await titles.allTextContents()).toEqual(['Note 2', 'Note 1']);
    expect(await page.getByTestId('notes-next').isDisabled()).toBe(true);
    expect(await focused()).toMatchObject({ id: 'notes-heading' });

    await page.getByTestId('notes-prev').click();
    await page.getByTestId('notes-page').filter({ hasText: 'Page 1' }).waitFor();
    await titles.first().filter({ hasText: 'Note 12' }).waitFor();
  });
});
