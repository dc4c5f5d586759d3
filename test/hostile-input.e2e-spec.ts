import { User } from '../src/users/entities/user.entity';
import { loginBearer, registerUser } from './factories/users';
import { messageOf } from './helpers/api';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * Input an attacker shapes to break the server or fool the people reading its logs: deeply nested JSON,
 * bodies of the wrong shape, and text with invisible or direction-changing characters. Each gets a 400
 * that says what is wrong, never a 500.
 */
describe('hostile input', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (path: string, body: string) => t.http().post(path).set('Content-Type', 'application/json').send(body);

  describe('deeply nested JSON (a stack overflow in class-transformer was a 500)', () => {
    // 14 KB: under the 16 KB body limit, thousands of levels deep.
    const deepArray = '['.repeat(7000) + ']'.repeat(7000);
    const deepObject = '{"a":'.repeat(2500) + '1' + '}'.repeat(2500);

    it.each([
      ['an array at top level', deepArray],
      ['an array inside a field', `{"email":${deepArray},"password":"x"}`],
      ['objects inside a field', `{"email":"a@example.test","password":${deepObject}}`],
    ])('refuses %s with 400', async (_case, body) => {
      for (const path of ['/api/auth/login', '/api/auth/register', '/api/auth/refresh']) {
        const response = await post(path, body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: 'request body is nested too deeply (at most 8 levels)',
        });
      }
    });

    it('still accepts a body nested within the limit (and validates it as usual)', async () => {
      const body = JSON.stringify({ email: 'a@example.test', password: [[[[['x']]]]] });
      const response = await post('/api/auth/login', body).expect(400);
      expect(messageOf(response)).toContain('password must be a string');
    });
  });

  describe('a body that is not a JSON object', () => {
    it.each([
      ['an empty array', '[]'],
      ['an array of objects', '[{"email":"a@example.test","password":"x"}]'],
    ])('refuses %s with a 400 that says so', async (_case, body) => {
      for (const path of ['/api/auth/login', '/api/auth/register', '/api/auth/refresh']) {
        const response = await post(path, body);
        expect([path, response.status, messageOf(response)]).toEqual([path, 400, 'request body must be a JSON object']);
      }
    });

    it('refuses an array body on an authenticated route too', async () => {
      const session = await loginBearer(t, await registerUser(t));
      const response = await t
        .http()
        .post('/api/users/me/password')
        .set(session.headers)
        .set('Content-Type', 'application/json')
        .send('[]')
        .expect(400);
      expect(messageOf(response)).toBe('request body must be a JSON object');
    });
  });

  describe('invisible and direction-changing characters (Cc, Cf)', () => {
    const characters: [string, string][] = [
      ['U+202E right-to-left override', '\u202e'],
      ['U+2066 left-to-right isolate', '\u2066'],
      ['U+200B zero-width space', '\u200b'],
      ['U+200D zero-width joiner', '\u200d'],
      ['U+00AD soft hyphen', '\u00ad'],
      ['U+0007 bell', '\u0007'],
      ['U+0085 next line', '\u0085'],
    ];

    it.each(characters)('refuses an email with %s at registration, naming the field', async (_name, character) => {
      const email = `ad${character}min@example.test`;
      const response = await t
        .http()
        .post('/api/auth/register')
        .send({ email, password: 'violet-harbor-tundra-42' })
        .expect(400);
      expect(messageOf(response)).toContain('email must not contain control or invisible formatting characters');
    });

    it('a spoofing address does not register, and no audit row carries such characters', async () => {
      // Displayed, the override reverses the rest: "evil<RLO>moc.elpmaxe-nimda@..." reads "evil...admin-example.com".
      await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'evil\u202emoc.elpmaxe-nimda@example.test', password: 'violet-harbor-tundra-42' })
        .expect(400);
      const events = await t.auditEvents({ type: 'register' });
      expect(events.filter((event) => /[\p{Cc}\p{Cf}]/u.test(JSON.stringify(event)))).toEqual([]);
    });

    it.each(characters)('refuses an email with %s at login, naming the field', async (_name, character) => {
      const response = await t
        .http()
        .post('/api/auth/login')
        .send({ email: `a${character}@example.test`, password: 'whatever' })
        .expect(400);
      expect(messageOf(response)).toContain('email must not contain control or invisible formatting characters');
    });

    it('refuses a refresh token with an invisible character, naming the field', async () => {
      const response = await t
        .http()
        .post('/api/auth/refresh')
        .send({ transport: 'bearer', refreshToken: 'abc\u200bdef' })
        .expect(400);
      expect(messageOf(response)).toContain('refreshToken must not contain control or invisible formatting characters');
    });

    it('still registers ordinary international addresses', async () => {
      await t
        .http()
        .post('/api/auth/register')
        .send({ email: 'jürgen.müller@example.test', password: 'violet-harbor-tundra-42' })
        .expect(202);
      expect(await t.dataSource.getRepository(User).countBy({ email: 'jürgen.müller@example.test' })).toBe(1);
    });
  });
});
