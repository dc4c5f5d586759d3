import { cookieHeader, setCookies } from './helpers/cookies';
import { rawRequest } from './helpers/raw-request';
import { createTestApp, TestApp } from './helpers/test-app';
import {
  CookieSession,
  cookieSessionFrom,
  loginBearer,
  loginCookie,
  registerUser,
  TEST_USER_AGENT,
  TestUser,
} from './factories/users';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

async function refreshCookie(t: TestApp, session: CookieSession): Promise<CookieSession> {
  const response = await t
    .http()
    .post('/api/auth/refresh')
    .set({ Cookie: session.cookie, 'X-CSRF-Token': session.csrfToken, 'User-Agent': session.userAgent })
    .expect(200);
  const cookies = setCookies(response);
  return cookieSessionFrom(
    response.body as { csrfToken: string; accessTokenExpiresAt: string },
    {
      access: cookies['__Host-access'].value,
      fingerprint: cookies['__Host-fgp']?.value ?? session.fingerprint,
      refresh: cookies['__Secure-refresh'].value,
    },
    session.userAgent,
  );
}

function loginFrom(t: TestApp, user: TestUser, from: string, userAgent = TEST_USER_AGENT) {
  return rawRequest(t, '/api/auth/login', {
    body: { email: user.email, password: user.password, transport: 'bearer' },
    headers: { 'User-Agent': userAgent },
    from,
  });
}

describe('anomaly rules', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const alertsFor = (userId: string) => t.auditEvents({ type: 'alert_raised', userId });

  describe('ordinary use', () => {
    it('raises nothing for one user with two browser sessions, refreshes, requests and a logout', async () => {
      const user = await registerUser(t);
      let first = await loginCookie(t, user);
      let second = await loginCookie(t, user);
      for (let round = 0; round < 3; round++) {
        await t.http().get('/api/users/me').set(first.headers).expect(200);
        await t.http().get('/api/users/me').set(second.headers).expect(200);
        t.clock.advance(14 * 60_000);
        first = await refreshCookie(t, first);
        second = await refreshCookie(t, second);
      }
      const bearer = await loginBearer(t, user);
      await t.http().get('/api/auth/sessions').set(bearer.headers).expect(200);
      await t.http().post('/api/auth/logout').set(first.headers).expect(204);
      expect(await alertsFor(user.id)).toEqual([]);
      expect(await t.auditEvents({ type: 'new_device_login', userId: user.id })).toEqual([]);
    });
  });

  describe('refresh token reuse', () => {
    it('alerts with the user id; the session is already revoked', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await t
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', session.userAgent)
        .send({ transport: 'bearer', refreshToken: session.refreshToken })
        .expect(200);
      await t
        .http()
        .post('/api/auth/refresh')
        .send({ transport: 'bearer', refreshToken: session.refreshToken })
        .expect(401);
      const [reuse] = await t.auditEvents({ type: 'refresh_token_reuse', userId: user.id });
      const [alert] = await alertsFor(user.id);
      expect(alert).toMatchObject({ reason: 'refresh_token_reuse', sessionId: reuse.sessionId, success: false });
      expect(alert.metadata).toMatchObject({ rule: 'refresh_token_reuse', severity: 'high', flaggedUser: user.id });
      await t.http().get('/api/users/me').set(session.headers).expect(401);
    });
  });

  describe('repeated fingerprint mismatches', () => {
    it('revokes the session with exactly one alert once mismatches come from 3 sources within 5 minutes', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const stolen = { ...session.headers, 'User-Agent': 'Replayer/1.0' };
      // One thief retrying from one place is one source, however many hits.
      for (let i = 0; i < 4; i++) await t.http().get('/api/users/me').set(stolen).expect(401);
      await t.http().get('/api/users/me').set(session.headers).expect(200);
      // Two more sources (other /24s); the replays race each other.
      await Promise.all(
        ['127.0.1.1', '127.0.2.1', '127.0.2.1'].map(async (from) =>
          expect((await rawRequest(t, '/api/users/me', { headers: stolen, from })).status).toBe(401),
        ),
      );
      // The owner's own, correctly bound token dies with the session; later replays raise nothing more.
      await t.http().get('/api/users/me').set(session.headers).expect(401);
      expect((await rawRequest(t, '/api/users/me', { headers: stolen, from: '127.0.3.1' })).status).toBe(401);
      const revoked = await t.auditEvents({ type: 'session_revoked', userId: user.id });
      expect(revoked).toHaveLength(1);
      expect(revoked[0]).toMatchObject({ reason: 'fingerprint_mismatch' });
      const alerts = await alertsFor(user.id);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ reason: 'fingerprint_mismatch', sessionId: revoked[0].sessionId });
      expect(alerts[0].metadata).toMatchObject({ sources: 3, sessionRevoked: true });
    });

    it('ordinary use: a bearer client whose address changed with requests in flight keeps its session', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      // Same User-Agent, new address (wifi to cellular), three requests in flight, from three networks.
      await Promise.all(
        ['127.0.1.1', '127.0.2.1', '127.0.3.1'].map(async (from) =>
          expect((await rawRequest(t, '/api/users/me', { headers: session.headers, from })).status).toBe(401),
        ),
      );
      await t.http().get('/api/users/me').set(session.headers).expect(200);
      // Recorded, but no revocation and no alert; a refresh from the new address works.
      const rejections = await t.auditEvents({ type: 'access_token_rejected', userId: user.id });
      expect(rejections.map((event) => event.reason)).toEqual(Array(3).fill('fingerprint_mismatch'));
      expect(await t.auditEvents({ type: 'session_revoked', userId: user.id })).toEqual([]);
      expect(await alertsFor(user.id)).toEqual([]);
    });

    it('counts a bearer thief who copied the User-Agent by network: revoked at twice the threshold (6 networks)', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      // The owner's User-Agent exactly, from networks other than the session's last one (127.0.0.0/24).
      for (let network = 1; network <= 5; network++) {
        const from = `127.0.${network}.1`;
        expect((await rawRequest(t, '/api/users/me', { headers: session.headers, from })).status).toBe(401);
      }
      await t.http().get('/api/users/me').set(session.headers).expect(200);
      expect((await rawRequest(t, '/api/users/me', { headers: session.headers, from: '127.0.6.1' })).status).toBe(401);
      await t.http().get('/api/users/me').set(session.headers).expect(401);
      const [revoked] = await t.auditEvents({ type: 'session_revoked', userId: user.id });
      expect(revoked).toMatchObject({ reason: 'fingerprint_mismatch' });
      const alerts = await alertsFor(user.id);
      expect(alerts).toHaveLength(1);
      expect(alerts[0].metadata).toMatchObject({ sources: 6, sameUserAgent: true, sessionRevoked: true });
    });

    it("never counts same-User-Agent mismatches from the session's own /24 (a new address in the same block)", async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      for (let host = 2; host <= 9; host++) {
        const from = `127.0.0.${host}`;
        expect((await rawRequest(t, '/api/users/me', { headers: session.headers, from })).status).toBe(401);
      }
      await t.http().get('/api/users/me').set(session.headers).expect(200);
      expect(await alertsFor(user.id)).toEqual([]);
    });

    it('counts a cookie-bound access token presented without its fingerprint cookie as a mismatch', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      const stolen = { Cookie: cookieHeader({ '__Host-access': session.access }), 'User-Agent': FIREFOX };
      for (const from of ['127.0.0.1', '127.0.1.1', '127.0.2.1']) {
        expect((await rawRequest(t, '/api/users/me', { headers: stolen, from })).status).toBe(401);
      }
      const rejections = await t.auditEvents({ type: 'access_token_rejected', userId: user.id });
      expect(rejections.map((event) => event.reason)).toEqual(Array(3).fill('fingerprint_missing'));
      await t.http().get('/api/users/me').set(session.headers).expect(401);
      const [revoked] = await t.auditEvents({ type: 'session_revoked', userId: user.id });
      expect(revoked).toMatchObject({ reason: 'fingerprint_mismatch' });
      const alerts = await alertsFor(user.id);
      expect(alerts).toHaveLength(1);
      expect(alerts[0].metadata).toMatchObject({ sources: 3, sameUserAgent: false, sessionRevoked: true });
    });

    it('leaves the session alone for fewer mismatches, or mismatches spread beyond the window', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const stolen = { ...session.headers, 'User-Agent': 'Replayer/1.0' };
      for (const from of ['127.0.1.1', '127.0.2.1']) {
        expect((await rawRequest(t, '/api/users/me', { headers: stolen, from })).status).toBe(401);
      }
      t.clock.advance(5 * 60_000 + 1000);
      for (const from of ['127.0.3.1', '127.0.4.1']) {
        expect((await rawRequest(t, '/api/users/me', { headers: stolen, from })).status).toBe(401);
      }
      await t.http().get('/api/users/me').set(session.headers).expect(200);
      expect(await alertsFor(user.id)).toEqual([]);
    });
  });

  describe('login from a new device', () => {
    it('records new_device_login and alerts for a new browser family or a new /24, not for the first login', async () => {
      const user = await registerUser(t);
      expect((await loginFrom(t, user, '127.0.0.1')).status).toBe(200);
      expect((await loginFrom(t, user, '127.0.0.1')).status).toBe(200);
      expect((await loginFrom(t, user, '127.0.0.9')).status).toBe(200); // same /24
      expect(await t.auditEvents({ type: 'new_device_login', userId: user.id })).toEqual([]);

      expect((await loginFrom(t, user, '127.0.0.1', FIREFOX)).status).toBe(200);
      // Past ANOMALY_ALERT_DEDUP_WINDOW (1h): a second alert of the rule for this user is not merged.
      t.clock.advance(61 * 60_000);
      expect((await loginFrom(t, user, '127.0.3.1')).status).toBe(200);
      const events = await t.auditEvents({ type: 'new_device_login', userId: user.id });
      expect(events.map((event) => event.metadata)).toEqual([
        { userAgentFamily: 'Firefox on Linux', ipPrefix: '127.0.0.0/24' },
        { userAgentFamily: 'WardenTest', ipPrefix: '127.0.3.0/24' },
      ]);
      expect(events[1]).toMatchObject({ ip: '127.0.3.1', success: true, sessionId: expect.any(String) });
      const alerts = await alertsFor(user.id);
      expect(alerts.map((alert) => alert.reason)).toEqual(['new_device_login', 'new_device_login']);
      expect(alerts[0].metadata).toMatchObject({ severity: 'low', userAgentFamily: 'Firefox on Linux' });
    });
  });

  describe('one session used from two distant networks', () => {
    it('does not alert on a single move to another network (wifi to cellular)', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      const headers = { Cookie: session.cookie, 'User-Agent': session.userAgent };
      t.clock.advance(5_000);
      for (let i = 0; i < 3; i++) {
        expect((await rawRequest(t, '/api/users/me', { headers, from: '127.9.0.1' })).status).toBe(200);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(await alertsFor(user.id)).toEqual([]);
    });

    it('alerts once when a cookie session alternates between two /16 networks within the window', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      const copied = { Cookie: session.cookie, 'User-Agent': session.userAgent };
      expect((await rawRequest(t, '/api/users/me', { headers: copied, from: '127.0.200.1' })).status).toBe(200);
      expect((await rawRequest(t, '/api/users/me', { headers: copied, from: '127.9.0.1' })).status).toBe(200);
      expect(await alertsFor(user.id)).toEqual([]);
      // Back and forth, with concurrent requests: still one alert.
      await Promise.all(
        ['127.0.0.1', '127.9.0.1', '127.0.0.1', '127.9.0.1'].map(async (from) =>
          expect((await rawRequest(t, '/api/users/me', { headers: copied, from })).status).toBe(200),
        ),
      );
      // The rule runs after the response; on Redis (npm run test:e2e:pg-redis) that takes a few round trips.
      let alerts = await alertsFor(user.id);
      for (let attempt = 0; alerts.length === 0 && attempt < 100; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        alerts = await alertsFor(user.id);
      }
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ reason: 'session_ip_spread' });
      expect(alerts[0].metadata).toMatchObject({ windowSeconds: 600 });
      expect([...(alerts[0].metadata as { networks: string[] }).networks].sort()).toEqual([
        '127.0.0.0/16',
        '127.9.0.0/16',
      ]);
    });

    it('does not alert when the uses are further apart than the window', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      t.clock.advance(10 * 60_000 + 1000);
      const copied = { Cookie: session.cookie, 'User-Agent': session.userAgent };
      expect((await rawRequest(t, '/api/users/me', { headers: copied, from: '127.9.0.1' })).status).toBe(200);
      expect(await alertsFor(user.id)).toEqual([]);
    });
  });
});
