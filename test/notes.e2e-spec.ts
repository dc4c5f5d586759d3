import { randomUUID } from 'node:crypto';
import { Note } from '../src/notes/note.entity';
import {
  adminSession,
  type BearerSession,
  type CookieSession,
  loginBearer,
  loginCookie,
  registerUser,
} from './factories/users';
import { bodyOf, messageOf, type Page } from './helpers/api';
import { describeOnBothDatabases } from './helpers/databases';
import type { TestApp } from './helpers/test-app';

type Headers = Record<string, string>;
interface NoteBody {
  id: string;
  ownerId: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}
type NotePage = Page<NoteBody>;

const ELEVEN_MINUTES = 11 * 60_000;
const NOT_FOUND = { statusCode: 404, error: 'Not Found', message: 'Note not found' };

/**
 * The reference resource module (src/notes/), on both databases: owner-scoped CRUD where someone else's
 * note is indistinguishable from a missing one, the admin listing, keyset pages, validation, the audit
 * records @Audited writes, and the pipeline's CSRF check and no-store answers, which the module inherits.
 */
describeOnBothDatabases('notes on %s', (database) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await database.start();
  });
  afterAll(() => t?.close());

  const bearerUser = async (): Promise<BearerSession & { userId: string }> => {
    const user = await registerUser(t);
    return { ...(await loginBearer(t, user)), userId: user.id };
  };
  const create = (headers: Headers, body: unknown) =>
    t
      .http()
      .post('/api/notes')
      .set(headers)
      .send(body as object);
  const createNote = async (headers: Headers, title = 'Groceries', body = 'eggs'): Promise<NoteBody> =>
    bodyOf<NoteBody>(await create(headers, { title, body }).expect(201));
  const list = (headers: Headers, query = '') => t.http().get(`/api/notes${query}`).set(headers);

  describe('owner', () => {
    it('creates, reads, lists, edits and deletes a note, answering DTOs only', async () => {
      const owner = await bearerUser();
      const created = await createNote(owner.headers, 'Groceries', 'eggs\nmilk');
      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        ownerId: owner.userId,
        title: 'Groceries',
        body: 'eggs\nmilk',
        createdAt: t.clock.now().toISOString(),
        updatedAt: t.clock.now().toISOString(),
      });
      await t.http().get(`/api/notes/${created.id}`).set(owner.headers).expect(200, created);
      expect((await list(owner.headers).expect(200)).body).toEqual({ items: [created], nextCursor: null });

      t.clock.advance(60_000);
      const edited = await t
        .http()
        .patch(`/api/notes/${created.id}`)
        .set(owner.headers)
        .send({ title: 'Shopping' })
        .expect(200);
      expect(edited.body).toEqual({ ...created, title: 'Shopping', updatedAt: t.clock.now().toISOString() });
      await t.http().get(`/api/notes/${created.id}`).set(owner.headers).expect(200, edited.body);

      await t.http().delete(`/api/notes/${created.id}`).set(owner.headers).expect(204);
      await t.http().get(`/api/notes/${created.id}`).set(owner.headers).expect(404, NOT_FOUND);
      await t.http().delete(`/api/notes/${created.id}`).set(owner.headers).expect(404, NOT_FOUND);
      expect((await list(owner.headers).expect(200)).body).toEqual({ items: [], nextCursor: null });
    });

    it("cannot read, edit or delete another user's note: the same 404 as an id that never existed", async () => {
      const alice = await bearerUser();
      const bob = await bearerUser();
      const note = await createNote(alice.headers, 'Diary', 'private');
      for (const id of [note.id, randomUUID(), 'not-a-uuid', '1']) {
        await t.http().get(`/api/notes/${id}`).set(bob.headers).expect(404, NOT_FOUND);
        await t.http().patch(`/api/notes/${id}`).set(bob.headers).send({ title: 'Mine now' }).expect(404, NOT_FOUND);
        await t.http().delete(`/api/notes/${id}`).set(bob.headers).expect(404, NOT_FOUND);
      }
      expect((await list(bob.headers).expect(200)).body).toEqual({ items: [], nextCursor: null });
      // Nothing changed for the owner.
      await t.http().get(`/api/notes/${note.id}`).set(alice.headers).expect(200, note);
    });

    it('owns what it creates: an ownerId or id in the body is refused, not applied', async () => {
      const alice = await bearerUser();
      const bob = await bearerUser();
      const response = await create(bob.headers, { title: 'x', ownerId: alice.userId, id: randomUUID() }).expect(400);
      expect(messageOf(response)).toEqual(['property ownerId should not exist', 'property id should not exist']);
      expect(await t.dataSource.getRepository(Note).countBy({ ownerId: alice.userId })).toBe(0);
    });

    it('refuses every route without an access token: 401', async () => {
      const id = randomUUID();
      await t.http().get('/api/notes').expect(401);
      await t.http().post('/api/notes').send({ title: 'x' }).expect(401);
      await t.http().get(`/api/notes/${id}`).expect(401);
      await t.http().patch(`/api/notes/${id}`).send({ title: 'x' }).expect(401);
      await t.http().delete(`/api/notes/${id}`).expect(401);
      await t.http().get('/api/admin/notes').expect(401);
    });

    it('inherits the no-store, Vary and expiry headers of authenticated answers', async () => {
      const owner = await bearerUser();
      for (const response of [await list(owner.headers).expect(200), await create(owner.headers, {}).expect(400)]) {
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers.vary).toMatch(/Authorization, Cookie/);
        expect(response.headers['access-token-expires-at']).toEqual(expect.any(String));
      }
    });
  });

  describe('admin listing', () => {
    it('lists every user’s notes for an admin; 403 for anyone else', async () => {
      const alice = await bearerUser();
      const bob = await bearerUser();
      const mine = await createNote(alice.headers, 'Alice');
      const theirs = await createNote(bob.headers, 'Bob');
      const { session: admin } = await adminSession(t);
      const page = bodyOf<NotePage>(await t.http().get('/api/admin/notes?limit=100').set(admin.headers).expect(200));
      expect(page.items).toEqual(expect.arrayContaining([mine, theirs]));

      const refused = await t.http().get('/api/admin/notes').set(alice.headers).expect(403);
      expect(refused.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    });

    it('needs a recent login, like every /api/admin route', async () => {
      const { session: admin } = await adminSession(t);
      t.clock.advance(ELEVEN_MINUTES);
      const response = await t.http().get('/api/admin/notes').set(admin.headers).expect(401);
      expect(response.body).toMatchObject({ code: 'insufficient_user_authentication' });
    });
  });

  describe('pages', () => {
    it('walks every note exactly once, newest first, with the cursor', async () => {
      const owner = await bearerUser();
      const created: NoteBody[] = [];
      const add = async (title: string, later = 1000) => {
        created.push(await createNote(owner.headers, title));
        t.clock.advance(later);
      };
      await add('oldest');
      await add('older');
      // Two at one instant, where a page ends between them: the id breaks the tie, none is skipped or repeated.
      await add('twin', 0);
      await add('twin');
      await add('newer');
      await add('newest');
      const seen: NoteBody[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const page = bodyOf<NotePage>(await list(owner.headers, query).expect(200));
        seen.push(...page.items);
        sizes.push(page.items.length);
        cursor = page.nextCursor;
      } while (cursor && sizes.length < 10);
      expect(sizes).toEqual([3, 3]);
      expect(seen.map(({ title }) => title)).toEqual(['newest', 'newer', 'twin', 'twin', 'older', 'oldest']);
      expect(seen.map(({ id }) => id).sort()).toEqual(created.map(({ id }) => id).sort());
    });

    it('answers 20 notes by default and at most 100', async () => {
      const owner = await bearerUser();
      const repository = t.dataSource.getRepository(Note);
      const now = t.clock.now();
      await repository.insert(
        Array.from({ length: 101 }, (_, i) => ({
          id: randomUUID(),
          ownerId: owner.userId,
          title: `bulk ${i}`,
          body: '',
          createdAt: now,
          updatedAt: now,
        })),
      );
      const first = bodyOf<NotePage>(await list(owner.headers).expect(200));
      expect(first.items).toHaveLength(20);
      expect(first.nextCursor).toEqual(expect.any(String));
      const most = bodyOf<NotePage>(await list(owner.headers, '?limit=100').expect(200));
      expect(most.items).toHaveLength(100);
      const last = bodyOf<NotePage>(await list(owner.headers, `?limit=100&cursor=${most.nextCursor}`).expect(200));
      expect(last).toEqual({ items: [expect.objectContaining({ ownerId: owner.userId })], nextCursor: null });
    });

    const forged = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    it.each([
      ['limit=0', 'limit=0', 'limit must not be less than 1'],
      ['limit=101', 'limit=101', 'limit must not be greater than 100'],
      ['limit=ten', 'limit=ten', 'limit must be an integer number'],
      ['limit=2.5', 'limit=2.5', 'limit must be an integer number'],
      ['a cursor with odd characters', 'cursor=%7B%7D', 'cursor must be the nextCursor of an earlier page'],
      ['a cursor that is not JSON', 'cursor=bm90IGpzb24', 'cursor is not a cursor this API issued'],
      ['a forged cursor', `cursor=${forged(['x', 'y'])}`, 'cursor is not a cursor this API issued'],
      [
        'a cursor before year 0',
        `cursor=${forged(['-271821-04-20T00:00:00.000Z', randomUUID()])}`,
        'cursor is not a cursor this API issued',
      ],
      [
        'a cursor on February 30',
        `cursor=${forged(['2026-02-30T00:00:00.000Z', randomUUID()])}`,
        'cursor is not a cursor this API issued',
      ],
      [
        'a cursor carrying SQL',
        `cursor=${forged(['2026-01-01T00:00:00.000Z', "' OR 1=1 --"])}`,
        'cursor is not a cursor this API issued',
      ],
      ['an unknown parameter', 'page=2', 'property page should not exist'],
    ])('refuses %s with 400, on both listings', async (_case, query, message) => {
      const owner = await bearerUser();
      await createNote(owner.headers);
      const { session: admin } = await adminSession(t);
      for (const [path, headers] of [
        ['/api/notes', owner.headers],
        ['/api/admin/notes', admin.headers],
      ] as const) {
        const response = await t.http().get(`${path}?${query}`).set(headers).expect(400);
        expect(messageOf(response)).toContain(message);
      }
    });

    it('refuses a real cursor cut short', async () => {
      const owner = await bearerUser();
      for (let i = 0; i < 3; i++) await createNote(owner.headers);
      const { nextCursor } = bodyOf<NotePage>(await list(owner.headers, '?limit=1').expect(200));
      await list(owner.headers, `?limit=1&cursor=${nextCursor}`).expect(200);
      const tampered = nextCursor!.slice(0, -3);
      const response = await list(owner.headers, `?limit=1&cursor=${tampered}`).expect(400);
      expect(messageOf(response)).toEqual(['cursor is not a cursor this API issued']);
    });
  });

  describe('validation: a 400 that names the field, never a 5xx', () => {
    const long = (n: number) => 'x'.repeat(n);
    it.each<[string, unknown, string]>([
      ['no title', {}, 'title must be a string'],
      ['a null title', { title: null }, 'title must be a string'],
      ['a numeric title', { title: 42 }, 'title must be a string'],
      ['an empty title', { title: '' }, 'title must not be empty'],
      ['a blank title', { title: ' \u3000 ' }, 'title must not be empty'],
      ['a title of 201 characters', { title: long(201) }, 'title must be shorter than or equal to 200 characters'],
      ['a title with a line break', { title: 'a\nb' }, 'title must not contain control or invisible formatting'],
      ['a title with a bidi override', { title: 'txt.\u202Eexe' }, 'title must not contain control or invisible'],
      ['a title with a zero-width space', { title: 'a\u200Bb' }, 'title must not contain control or invisible'],
      ['a null body', { title: 'ok', body: null }, 'body must be a string'],
      ['an object body', { title: 'ok', body: { $ne: '' } }, 'body must be a string'],
      ['a body of 4001 characters', { title: 'ok', body: long(4001) }, 'body must be shorter than or equal to 4000'],
      ['a body with NUL', { title: 'ok', body: 'a\u0000b' }, 'body must not contain control characters'],
      ['a body with a bidi isolate', { title: 'ok', body: 'a\u2066b' }, 'body must not contain control characters'],
      ['an unknown field', { title: 'ok', pinned: true }, 'property pinned should not exist'],
    ])('create with %s', async (_case, body, message) => {
      const owner = await bearerUser();
      const response = await create(owner.headers, body).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(bodyOf<{ message: string[] }>(response).message.some((line) => line.startsWith(message))).toBe(true);
    });

    it('create with a JSON array instead of an object', async () => {
      const owner = await bearerUser();
      const response = await create(owner.headers, [{ title: 'x' }]).expect(400);
      expect(messageOf(response)).toBe('request body must be a JSON object');
    });

    it.each<[string, unknown, string]>([
      ['nothing to change', {}, 'send title, body or both'],
      ['a null title', { title: null }, 'title must be a string'],
      ['an empty title', { title: '' }, 'title must not be empty'],
      ['a null body', { body: null }, 'body must be a string'],
      ['a new owner', { ownerId: randomUUID() }, 'property ownerId should not exist'],
    ])('edit with %s', async (_case, body, message) => {
      const owner = await bearerUser();
      const note = await createNote(owner.headers);
      const response = await t
        .http()
        .patch(`/api/notes/${note.id}`)
        .set(owner.headers)
        .send(body as object);
      expect(response.status).toBe(400);
      expect(messageOf(response)).toContain(message);
      await t.http().get(`/api/notes/${note.id}`).set(owner.headers).expect(200, note);
    });

    it('keeps what people write: line breaks, tabs, emoji sequences, right-to-left text', async () => {
      const owner = await bearerUser();
      const body = 'line one\n\tindented\r\nfamily 👨‍👩‍👧 flag 🏳️‍🌈 מה נשמע می‌خواهم';
      const note = await createNote(owner.headers, 'Ünïcödé 👍', body);
      expect(note.body).toBe(body);
      await t.http().get(`/api/notes/${note.id}`).set(owner.headers).expect(200, note);
      const full = await createNote(owner.headers, 'x'.repeat(200), 'é'.repeat(4000));
      expect(full.body).toHaveLength(4000);
    });
  });

  describe('audit', () => {
    it('records create, edit and delete with the note as target', async () => {
      const owner = await bearerUser();
      const note = await createNote(owner.headers);
      await t.http().patch(`/api/notes/${note.id}`).set(owner.headers).send({ body: 'new' }).expect(200);
      await t.http().delete(`/api/notes/${note.id}`).set(owner.headers).expect(204);
      for (const [type, status] of [
        ['note_created', 201],
        ['note_updated', 200],
        ['note_deleted', 204],
      ] as const) {
        expect(await t.auditEvents({ type, userId: owner.userId })).toEqual([
          expect.objectContaining({
            success: true,
            reason: null,
            sessionId: expect.any(String),
            metadata: expect.objectContaining({ status, targetId: note.id, transport: 'bearer' }),
          }),
        ]);
      }
    });

    it('records refusals: a bad note, and an edit or delete of a note that is not yours', async () => {
      const alice = await bearerUser();
      const bob = await bearerUser();
      const note = await createNote(alice.headers);
      await create(bob.headers, { title: '' }).expect(400);
      await t.http().patch(`/api/notes/${note.id}`).set(bob.headers).send({ title: 'x' }).expect(404);
      await t.http().delete(`/api/notes/${note.id}`).set(bob.headers).expect(404);
      const failures = await t.auditEvents({ userId: bob.userId, success: false });
      expect(failures.map(({ type, reason, metadata }) => ({ type, reason, metadata }))).toEqual(
        expect.arrayContaining([
          { type: 'note_created', reason: 'bad_request', metadata: expect.objectContaining({ status: 400 }) },
          {
            type: 'note_updated',
            reason: 'not_found',
            metadata: expect.objectContaining({ status: 404, targetId: note.id }),
          },
          {
            type: 'note_deleted',
            reason: 'not_found',
            metadata: expect.objectContaining({ status: 404, targetId: note.id }),
          },
        ]),
      );
      expect(failures).toHaveLength(3);
    });
  });

  describe('CSRF (the pipeline, inherited)', () => {
    const cookieUser = async (): Promise<CookieSession & { userId: string }> => {
      const user = await registerUser(t);
      return { ...(await loginCookie(t, user)), userId: user.id };
    };

    it('refuses a cookie POST, PATCH or DELETE without the CSRF header, and changes nothing', async () => {
      const session = await cookieUser();
      const note = await createNote(session.headers);
      const cookieOnly = { Cookie: session.cookie, 'User-Agent': session.userAgent };
      for (const request of [
        t.http().post('/api/notes').set(cookieOnly).send({ title: 'forged' }),
        t.http().patch(`/api/notes/${note.id}`).set(cookieOnly).send({ title: 'forged' }),
        t.http().delete(`/api/notes/${note.id}`).set(cookieOnly),
        t
          .http()
          .delete(`/api/notes/${note.id}`)
          .set({ ...cookieOnly, 'X-CSRF-Token': 'garbage' }),
      ]) {
        const response = await request.expect(403);
        expect(response.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'CSRF check failed' });
      }
      expect((await list(session.headers).expect(200)).body).toEqual({ items: [note], nextCursor: null });
      expect(await t.auditEvents({ type: 'csrf_rejected', userId: session.userId })).toHaveLength(4);
    });

    it('accepts a cookie request with the header, and a bearer request without it', async () => {
      const session = await cookieUser();
      const note = await createNote(session.headers);
      await t.http().delete(`/api/notes/${note.id}`).set(session.headers).expect(204);
      const bearer = await bearerUser();
      expect(bearer.headers['X-CSRF-Token']).toBeUndefined();
      await createNote(bearer.headers);
    });
  });
});
