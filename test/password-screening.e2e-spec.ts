import { User } from '../src/users/entities/user.entity';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from './helpers/api';
import { createTestApp, TestApp } from './helpers/test-app';
import { loginBearer, registerUser, STRONG_PASSWORD } from './factories/users';

const BREACHED = 'marmalade-sky-pilot-88';

/** A local stand-in for a Pwned Passwords range API: answers every range, with BREACHED's suffix in its own. */
async function startRangeServer(): Promise<{ url: string; requests: IncomingMessage[]; server: Server }> {
  const digest = createHash('sha1').update(BREACHED).digest('hex').toUpperCase();
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    const prefix = request.url?.split('/').pop() ?? '';
    const lines = ['0018A45C4D1DEF81644B54AB7F969B88D65:0', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2'];
    if (prefix === digest.slice(0, 5)) lines.push(`${digest.slice(5)}:1234`);
    response.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/range/`, requests, server };
}

const register = (t: TestApp, email: string, password: string) =>
  t.http().post('/api/auth/register').send({ email, password });

describe('password screening (ASVS 5.0 6.2.4, 6.2.11, 6.2.12)', () => {
  describe('offline rules', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it.each([
      ['a password from the shipped list', 'c1@mail.test', 'qwertyuiop123'],
      ['a common word and a year', 'c2@mail.test', 'iloveyou2025'],
      ['the product name', 'c3@mail.test', 'warden123456'],
      ['the local part of the email', 'margot.fielding@mail.test', 'Fielding-2026-xyz'],
      ['the domain of the email', 'c5@quillfeather.test', 'quillfeather#99q'],
    ])('refuses %s at registration', async (_case, email, password) => {
      const response = await register(t, email, password).expect(400);
      expect(JSON.stringify(messageOf(response))).toContain('password');
    });

    it('refuses a context word as a new password, and keeps the old one', async () => {
      const user = await registerUser(t, { email: 'theodora.quince@mail.test' });
      const session = await loginBearer(t, user);
      const response = await t
        .http()
        .post('/api/users/me/password')
        .set(session.headers)
        .send({ currentPassword: user.password, newPassword: 'Quince-orchard-2026' })
        .expect(400);
      expect(messageOf(response)).toMatch(/newPassword must not contain/);
      await loginBearer(t, user);
    });

    it('makes no breach query when none is configured (off by default)', async () => {
      const range = await startRangeServer();
      try {
        await register(t, 'offline@mail.test', BREACHED).expect(202);
        expect(range.requests).toHaveLength(0);
      } finally {
        range.server.close();
      }
    });
  });

  describe('password handling (ASVS 5.0 6.2.8, 6.2.9, 6.2.10)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());
    const login = (email: string, password: string) =>
      t.http().post('/api/auth/login').send({ email, password, transport: 'bearer' });

    it('verifies the password exactly as received: no trimming, no case folding', async () => {
      const user = await registerUser(t, { email: 'exact@mail.test', password: ' Violet-Harbor-Tundra-42 ' });
      await login(user.email, 'Violet-Harbor-Tundra-42').expect(401);
      await login(user.email, ' violet-harbor-tundra-42 ').expect(401);
      await login(user.email, user.password).expect(200);
    });

    it('accepts passwords far longer than 64 characters', async () => {
      const long = `${'correct-violet-harbor-'.repeat(5)}tundra`;
      expect(long.length).toBeGreaterThan(100);
      const user = await registerUser(t, { email: 'long@mail.test', password: long });
      await login(user.email, long).expect(200);
    });

    it('never expires a password: it still works years later', async () => {
      const user = await registerUser(t, { email: 'years@mail.test' });
      t.clock.advance(3 * 365 * 86_400_000);
      await login(user.email, user.password).expect(200);
    });
  });

  describe('breached-password check by k-anonymity range query', () => {
    let t: TestApp;
    let range: Awaited<ReturnType<typeof startRangeServer>>;
    beforeAll(async () => {
      range = await startRangeServer();
      t = await createTestApp({ env: { BREACHED_PASSWORD_RANGE_URL: range.url } });
    });
    afterAll(async () => {
      await t.close();
      range.server.close();
    });

    it('refuses a breached password, sending only the 5-digit hash prefix', async () => {
      const response = await register(t, 'breach@mail.test', BREACHED).expect(400);
      expect(messageOf(response)).toMatch(/known data breach/);
      const sent = range.requests.at(-1);
      expect(sent?.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
      expect(sent?.headers['add-padding']).toBe('true');
      expect(JSON.stringify(sent?.headers)).not.toContain(BREACHED);
    });

    it('accepts a password absent from its range (padding entries of count 0 do not match)', async () => {
      await register(t, 'clean@mail.test', STRONG_PASSWORD).expect(202);
    });
  });

  it('never blocks anyone when the service is unreachable: offline rules only', async () => {
    const range = await startRangeServer();
    const url = range.url;
    await new Promise((resolve) => range.server.close(resolve));
    const t = await createTestApp({ env: { BREACHED_PASSWORD_RANGE_URL: url } });
    try {
      await register(t, 'unreachable@mail.test', BREACHED).expect(202);
      // Confirmed as following the mailed link would (UNVERIFIED_LOGIN=refuse by default).
      await t.dataSource
        .getRepository(User)
        .update({ email: 'unreachable@mail.test' }, { emailVerifiedAt: new Date() });
      await register(t, 'unreachable2@mail.test', 'iloveyou2025').expect(400);
      await loginBearer(t, { id: '', email: 'unreachable@mail.test', password: BREACHED });
    } finally {
      await t.close();
    }
  });
});
