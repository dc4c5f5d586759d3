import { randomUUID } from 'node:crypto';
import { UserFlag } from '../src/anomaly/entities/user-flag.entity';
import { type AlertItem, type AuditItem, bodyOf, messageOf, type Page } from './helpers/api';
import { createTestApp, TestApp } from './helpers/test-app';
import { adminSession, BearerSession, loginBearer, registerUser, TEST_USER_AGENT, TestUser } from './factories/users';

describe('admin API', () => {
  let t: TestApp;
  let admin: BearerSession;
  let adminUser: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    ({ user: adminUser, session: admin } = await adminSession(t));
  });
  afterAll(() => t.close());

  const get = (path: string, session: BearerSession = admin) => t.http().get(path).set(session.headers);
  /** An admin list page, read as the contract's shape. */
  const audit = async (query: string) => bodyOf<Page<AuditItem>>(await get(`/api/admin/audit?${query}`).expect(200));
  const alerts = async (query: string) => bodyOf<Page<AlertItem>>(await get(`/api/admin/alerts?${query}`).expect(200));

  describe('access', () => {
    it.each(['/api/admin/audit', '/api/admin/alerts'])('%s: 401 without a token, 403 for a user', async (path) => {
      await t.http().get(path).set('User-Agent', TEST_USER_AGENT).expect(401);
      const user = await loginBearer(t, await registerUser(t));
      const response = await get(path, user).expect(403);
      expect(response.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    });

    it('revoke-sessions: 401 without a token, 403 for a user', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await t.http().post(`/api/admin/users/${user.id}/revoke-sessions`).expect(401);
      await t.http().post(`/api/admin/users/${user.id}/revoke-sessions`).set(session.headers).expect(403);
      await t.http().get('/api/users/me').set(session.headers).expect(200);
    });

    it('clearing flags: 401 without a token, 403 for a user, and the flag stays', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await reuseRefreshToken(session);
      await t.http().delete(`/api/admin/users/${user.id}/flags`).set('User-Agent', TEST_USER_AGENT).expect(401);
      await t
        .http()
        .delete(`/api/admin/users/${user.id}/flags`)
        .set((await loginBearer(t, user)).headers)
        .expect(403);
      const [alert] = (await alerts(`userId=${user.id}`)).items;
      expect(alert.userFlag).not.toBeNull();
    });
  });

  /** Spends a refresh token twice: the reuse alert ends the session and flags the user. */
  async function reuseRefreshToken(session: BearerSession): Promise<void> {
    const body = { transport: 'bearer', refreshToken: session.refreshToken };
    await t.http().post('/api/auth/refresh').set('User-Agent', TEST_USER_AGENT).send(body).expect(200);
    await t.http().post('/api/auth/refresh').set('User-Agent', TEST_USER_AGENT).send(body).expect(401);
  }

  describe('GET /api/admin/audit', () => {
    it('answers the contract shape, newest first, without metadata', async () => {
      const page = await audit('limit=5');
      expect(Object.keys(page).sort()).toEqual(['items', 'nextCursor']);
      expect(page.items).toHaveLength(5);
      for (const item of page.items) {
        expect(Object.keys(item).sort()).toEqual(
          ['count', 'createdAt', 'id', 'ip', 'reason', 'sessionId', 'success', 'type', 'userAgent', 'userId'].sort(),
        );
      }
      const times = page.items.map((item) => Date.parse(item.createdAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('filters by type, user, ip and time range', async () => {
      const user = await registerUser(t);
      await t.http().post('/api/auth/login').send({ email: user.email, password: 'not-the-password-1' }).expect(401);
      const failed = await audit(`type=login_failed&userId=${user.id}`);
      expect(failed.items).toEqual([
        expect.objectContaining({ type: 'login_failed', userId: user.id, reason: 'bad_password', success: false }),
      ]);
      const mine = await audit(`userId=${user.id}`);
      expect(mine.items.map((item) => item.type).sort()).toEqual(['login_failed', 'mail_sent', 'register']);
      const byIp = await audit('ip=127.0.0.1&limit=200');
      expect(byIp.items.every((item) => item.ip === '127.0.0.1')).toBe(true);
      expect(await audit('ip=10.9.9.9')).toEqual({ items: [], nextCursor: null });

      t.clock.advance(60 * 60_000);
      // An hour later the admin's login is too old for admin actions (STEP_UP_MAX_AGE): signing in again.
      admin = await loginBearer(t, adminUser);
      const since = new Date(t.clock.now().getTime() + 1000).toISOString();
      t.clock.advance(2000);
      const later = await registerUser(t);
      const recent = await audit(`since=${since}`);
      expect(new Set(recent.items.map((item) => item.userId))).toEqual(new Set([later.id]));
      expect((await audit(`until=${since}&userId=${later.id}`)).items).toEqual([]);
    });

    it('walks every event exactly once with the cursor', async () => {
      for (let i = 0; i < 7; i++) await registerUser(t);
      const expected = (await audit('limit=200')).items.map((item) => item.id);
      expect(expected.length).toBeGreaterThan(10);
      const walked: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await audit(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(3);
        walked.push(...page.items.map((item) => item.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      expect(walked).toEqual(expected);
      expect(new Set(walked).size).toBe(walked.length);
    });

    it.each([
      ['a malformed userId', 'userId=123'],
      ['a malformed ip', 'ip=999.1.1.1'],
      ['a non-ISO since', 'since=yesterday'],
      ['a non-ISO until', 'until=2024-13-45'],
      ['since after until', 'since=2025-02-01T00:00:00Z&until=2025-01-01T00:00:00Z'],
      ['a limit above the cap', 'limit=201'],
      ['a zero limit', 'limit=0'],
      ['a non-numeric limit', 'limit=ten'],
      ['a forged cursor', `cursor=${Buffer.from('["x","y"]').toString('base64url')}`],
      ['a cursor with odd characters', 'cursor=%7B%7D'],
      ['a malformed type', 'type=DROP%20TABLE'],
      ['an over-long type', `type=${'a'.repeat(65)}`],
      ['a repeated filter', 'type=login&type=logout'],
      ['an unknown filter', 'password=x'],
    ])('answers 400 for %s', async (_case, query) => {
      const response = await get(`/api/admin/audit?${query}`).expect(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('GET /api/admin/alerts', () => {
    it('names the rule, the severity and the user, and filters by rule', async () => {
      const user = await registerUser(t);
      await reuseRefreshToken(await loginBearer(t, user));
      await loginBearer(t, user, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
      const all = await alerts(`userId=${user.id}`);
      // Both alerts share the clock's instant, so their order is the ids'.
      expect(all.items).toHaveLength(2);
      expect(all.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ rule: 'new_device_login', severity: 'low', userEmail: user.email }),
          expect.objectContaining({ rule: 'refresh_token_reuse', severity: 'high', userEmail: user.email }),
        ]),
      );
      const reuse = await alerts(`userId=${user.id}&rule=refresh_token_reuse`);
      expect(reuse.items.map((item) => item.rule)).toEqual(['refresh_token_reuse']);
      const response = await get('/api/admin/alerts?rule=login').expect(400);
      expect(messageOf(response)).toEqual([expect.stringMatching(/^rule must be one of refresh_token_reuse, /)]);
    });

    it('lists alerts with their metadata', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const body = { transport: 'bearer', refreshToken: session.refreshToken };
      await t.http().post('/api/auth/refresh').set('User-Agent', session.userAgent).send(body).expect(200);
      await t.http().post('/api/auth/refresh').send(body).expect(401);
      await t.auditEvents();
      const page = await alerts(`userId=${user.id}`);
      expect(page.nextCursor).toBeNull();
      expect(page.items).toEqual([
        expect.objectContaining({
          type: 'alert_raised',
          reason: 'refresh_token_reuse',
          userId: user.id,
          metadata: expect.objectContaining({ rule: 'refresh_token_reuse', severity: 'high' }),
        }),
      ]);
    });
  });

  describe('POST /api/admin/users/:id/revoke-sessions', () => {
    it('ends every session and access token of the user, and audits who did it', async () => {
      const user = await registerUser(t);
      const first = await loginBearer(t, user);
      const second = await loginBearer(t, user);
      await t.http().post(`/api/admin/users/${user.id}/revoke-sessions`).set(admin.headers).expect(204);
      await t.http().get('/api/users/me').set(first.headers).expect(401);
      await t.http().get('/api/users/me').set(second.headers).expect(401);
      await t
        .http()
        .post('/api/auth/refresh')
        .send({ transport: 'bearer', refreshToken: second.refreshToken })
        .expect(401);
      const [event] = await t.auditEvents({ type: 'session_revoked', userId: user.id });
      expect(event).toMatchObject({ reason: 'revoked_by_admin', success: true });
      expect(event.metadata).toMatchObject({ scope: 'all', sessionsEnded: 2 });
      // The admin's own session is untouched.
      await get('/api/admin/audit?limit=1').expect(200);
    });

    it('answers 404 for an unknown user and for a malformed id (no such user either)', async () => {
      await t.http().post(`/api/admin/users/${randomUUID()}/revoke-sessions`).set(admin.headers).expect(404);
      const malformed = await t.http().post('/api/admin/users/not-a-uuid/revoke-sessions').set(admin.headers);
      expect(malformed.status).toBe(404);
      expect(malformed.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'User not found' });
    });
  });

  describe('user flags', () => {
    it('refresh-token reuse flags the user persistently; GET /api/admin/alerts shows the flag', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const body = { transport: 'bearer', refreshToken: session.refreshToken };
      await t.http().post('/api/auth/refresh').set('User-Agent', session.userAgent).send(body).expect(200);
      await t.http().post('/api/auth/refresh').send(body).expect(401);
      const [alert] = (await alerts(`userId=${user.id}`)).items;
      expect(alert).toMatchObject({
        reason: 'refresh_token_reuse',
        userFlag: { reason: 'refresh_token_reuse', alertId: alert.metadata.alertId, flaggedAt: expect.any(String) },
      });
      const rows = await t.dataSource
        .getRepository(UserFlag)
        .find({ select: { userId: true, reason: true }, where: { userId: user.id } });
      expect(rows).toEqual([{ userId: user.id, reason: 'refresh_token_reuse' }]);
      // Another user's alert carries no flag.
      const other = await registerUser(t);
      await loginBearer(t, other);
      await loginBearer(t, other, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
      const unflagged = await alerts(`userId=${other.id}`);
      expect(unflagged.items[0]).toMatchObject({ reason: 'new_device_login', userFlag: null });
    });

    it("shows a flag only beside the alert that raised it, not beside the same user's other alerts", async () => {
      const user = await registerUser(t);
      await reuseRefreshToken(await loginBearer(t, user));
      await loginBearer(t, user, 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
      const { items } = await alerts(`userId=${user.id}`);
      expect(items).toHaveLength(2);
      expect(items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ rule: 'new_device_login', userFlag: null }),
          expect.objectContaining({
            rule: 'refresh_token_reuse',
            userFlag: expect.objectContaining({ reason: 'refresh_token_reuse' }),
          }),
        ]),
      );
    });

    it('DELETE /api/admin/users/:id/flags clears them and audits which admin did it', async () => {
      const user = await registerUser(t);
      await reuseRefreshToken(await loginBearer(t, user));
      await t.http().delete(`/api/admin/users/${user.id}/flags`).set(admin.headers).expect(204);
      const [alert] = (await alerts(`userId=${user.id}`)).items;
      expect(alert).toMatchObject({ rule: 'refresh_token_reuse', userFlag: null });
      expect(await t.dataSource.getRepository(UserFlag).countBy({ userId: user.id })).toBe(0);
      const [event] = await t.auditEvents({ type: 'user_flag_cleared', userId: user.id });
      expect(event).toMatchObject({ success: true });
      expect(event.metadata).toMatchObject({ adminId: expect.any(String), flagsCleared: 1 });
      // Clearing again is harmless; an unknown user is a 404.
      await t.http().delete(`/api/admin/users/${user.id}/flags`).set(admin.headers).expect(204);
      await t.http().delete(`/api/admin/users/${randomUUID()}/flags`).set(admin.headers).expect(404);
    });
  });
});
