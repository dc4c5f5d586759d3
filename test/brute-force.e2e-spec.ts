import { type BearerGrant, bodyOf } from './helpers/api';
import { rawRequest } from './helpers/raw-request';
import { createTestApp, TestApp } from './helpers/test-app';
import { loginBearer, registerUser, TEST_USER_AGENT, TestUser } from './factories/users';

const WRONG = 'wrong-password-123';

function login(t: TestApp, email: string, password: string, from = '127.0.0.1') {
  return rawRequest(t, '/api/auth/login', {
    body: { email, password, transport: 'bearer' },
    headers: { 'User-Agent': TEST_USER_AGENT },
    from,
  });
}

async function fail(t: TestApp, email: string, times: number, from = '127.0.0.1') {
  for (let i = 0; i < times; i++) {
    const response = await login(t, email, WRONG, from);
    expect(response.status).toBe(401);
  }
}

describe('brute-force protection', () => {
  describe('per account and address', () => {
    let t: TestApp;
    let user: TestUser;

    beforeAll(async () => {
      // These tests fail logins on many accounts from 127.0.0.1; the IP rule is tested on its own below.
      t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_IP: '10000' } });
    });
    afterAll(() => t.close());
    beforeEach(async () => {
      user = await registerUser(t);
    });

    it('locks the account out from this address after 10 failures: 429 with Retry-After, even with the right password', async () => {
      await fail(t, user.email, 10);
      const locked = await login(t, user.email, user.password);
      expect(locked.status).toBe(429);
      expect(locked.headers['retry-after']).toBe('60');
      expect(locked.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Too many failed attempts; try again later',
      });
      expect(bodyOf<Partial<BearerGrant>>(locked).accessToken).toBeUndefined();
      const [started] = await t.auditEvents({ type: 'lockout_started', userId: user.id });
      expect(started).toMatchObject({ reason: 'account_ip', ip: '127.0.0.1', success: false });
      expect(started.metadata).toMatchObject({ scope: 'account_ip', seconds: 60, level: 1, failures: 10 });
      const refused = await t.auditEvents({ type: 'login_failed', userId: user.id, reason: 'locked_out' });
      expect(refused).toHaveLength(1);
    });

    it('lets at most 10 of 60 concurrent wrong passwords reach the password check', async () => {
      const responses = await Promise.all(Array.from({ length: 60 }, () => login(t, user.email, WRONG)));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
      expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
      const checked = await t.auditEvents({ type: 'login_failed', userId: user.id, reason: 'bad_password' });
      expect(checked.length).toBeLessThanOrEqual(10);
      expect((await login(t, user.email, user.password)).status).toBe(429);
    });

    it('delays repeated failures progressively below the lockout: 250 ms from the 4th, doubling, capped at 2 s', async () => {
      const before = t.clock.sleeps.length;
      await fail(t, user.email, 8);
      expect(t.clock.sleeps.slice(before)).toEqual([250, 500, 1000, 2000, 2000]);
      // A success clears the count: the next failure is not delayed.
      expect((await login(t, user.email, user.password)).status).toBe(200);
      const afterSuccess = t.clock.sleeps.length;
      await fail(t, user.email, 1);
      expect(t.clock.sleeps.length).toBe(afterSuccess);
    });

    it('does not lock the same account out from another address', async () => {
      await fail(t, user.email, 10, '127.0.0.1');
      expect((await login(t, user.email, user.password, '127.0.0.1')).status).toBe(429);
      const elsewhere = await login(t, user.email, user.password, '127.0.0.2');
      expect(elsewhere.status).toBe(200);
      expect(bodyOf<BearerGrant>(elsewhere).accessToken).toEqual(expect.any(String));
    });

    it('unlocks after the lockout, records lockout_ended, and doubles the next lockout', async () => {
      await fail(t, user.email, 10);
      expect((await login(t, user.email, user.password)).status).toBe(429);
      t.clock.advance(59_000);
      expect((await login(t, user.email, user.password)).headers['retry-after']).toBe('1');
      t.clock.advance(2_000);
      await fail(t, user.email, 10);
      const again = await login(t, user.email, user.password);
      expect(again.status).toBe(429);
      expect(again.headers['retry-after']).toBe('120');
      const ended = await t.auditEvents({ type: 'lockout_ended', userId: user.id });
      expect(ended).toHaveLength(1);
      expect(ended[0]).toMatchObject({ reason: 'account_ip', success: true });
      t.clock.advance(121_000);
      expect((await login(t, user.email, user.password)).status).toBe(200);
    });

    it('caps the lockout at 15 minutes', async () => {
      for (const expected of ['60', '120', '240', '480', '900', '900']) {
        await fail(t, user.email, 10);
        const locked = await login(t, user.email, user.password);
        expect(locked.headers['retry-after']).toBe(expected);
        t.clock.advance(Number(expected) * 1000 + 1000);
      }
    });

    it('a successful login resets the count for that address', async () => {
      await fail(t, user.email, 9);
      expect((await login(t, user.email, user.password)).status).toBe(200);
      await fail(t, user.email, 9);
      expect((await login(t, user.email, user.password)).status).toBe(200);
    });

    it('locks an unknown email out exactly like a real one', async () => {
      await fail(t, user.email, 10);
      await fail(t, 'nobody-here@example.test', 10);
      const real = await login(t, user.email, WRONG);
      const unknown = await login(t, 'nobody-here@example.test', WRONG);
      expect(unknown.status).toBe(429);
      expect(unknown.body).toEqual(real.body);
      expect(unknown.headers['retry-after']).toBe(real.headers['retry-after']);
    });

    it('forgets failures outside the sliding window', async () => {
      await fail(t, user.email, 9);
      t.clock.advance(15 * 60_000 + 1000);
      await fail(t, user.email, 9);
      expect((await login(t, user.email, user.password)).status).toBe(200);
    });
  });

  // Every failed login runs a real argon2id verification (~19 MiB, two passes): small limits keep these rules'
  // tests to a few dozen hashes, so they stay well inside the test timeout on a loaded machine.
  describe('per account, from anywhere', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '3', LOGIN_MAX_FAILURES_PER_ACCOUNT: '6' } });
    });
    afterAll(() => t.close());

    it('locks the account everywhere once the higher account-wide limit is reached', async () => {
      const user = await registerUser(t);
      // Each address stays below its own limit of 3.
      await fail(t, user.email, 2, '127.0.0.2');
      await fail(t, user.email, 2, '127.0.0.3');
      await fail(t, user.email, 2, '127.0.0.4');
      const response = await login(t, user.email, user.password, '127.0.0.5');
      expect(response.status).toBe(429);
      const [started] = await t.auditEvents({ type: 'lockout_started', userId: user.id });
      expect(started.reason).toBe('account');
    });

    it("spares the owner's known device, which keeps its own account+IP limit; an unknown device is locked", async () => {
      const user = await registerUser(t);
      expect((await login(t, user.email, user.password, '127.0.0.1')).status).toBe(200); // a known device now
      await fail(t, user.email, 2, '127.0.5.2');
      await fail(t, user.email, 2, '127.0.6.3');
      await fail(t, user.email, 2, '127.0.8.5');
      expect((await login(t, user.email, user.password, '127.0.7.4')).status).toBe(429);
      expect((await login(t, user.email, user.password, '127.0.0.1')).status).toBe(200);
      // Same network, another browser family: not a known device.
      const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
      const other = await rawRequest(t, '/api/auth/login', {
        body: { email: user.email, password: user.password, transport: 'bearer' },
        headers: { 'User-Agent': firefox },
        from: '127.0.0.1',
      });
      expect(other.status).toBe(429);
      // The known device still locks itself out by guessing.
      await fail(t, user.email, 3, '127.0.0.1');
      expect((await login(t, user.email, user.password, '127.0.0.1')).status).toBe(429);
    });
  });

  describe('per account, from a spoofed known device', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_ACCOUNT_IP: '3', LOGIN_MAX_FAILURES_PER_ACCOUNT: '4' } });
    });
    afterAll(() => t.close());

    it("bounds guesses from the owner's network with the owner's browser: locked after 5x the account-wide limit", async () => {
      const user = await registerUser(t);
      expect((await login(t, user.email, user.password, '127.0.0.1')).status).toBe(200); // a known device now
      // The same User-Agent from other addresses of the owner's /24, each below the account+IP limit of 3.
      for (let address = 2; address < 12; address++) await fail(t, user.email, 2, `127.0.0.${address}`); // 20: 5 x 4
      const locked = await login(t, user.email, user.password, '127.0.0.12');
      expect(locked.status).toBe(429);
      expect(locked.headers['retry-after']).toBe('60');
      const started = await t.auditEvents({ type: 'lockout_started', userId: user.id, reason: 'account_known' });
      expect(started).toHaveLength(1);
      expect(started[0].metadata).toMatchObject({ scope: 'account_known', failures: 20 });
    });
  });

  describe('credential stuffing within an IPv6 /48', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
    });
    afterAll(() => t.close());

    const loginFrom = (ip: string, email: string, password: string) =>
      rawRequest(t, '/api/auth/login', {
        body: { email, password, transport: 'bearer' },
        headers: { 'User-Agent': TEST_USER_AGENT, 'X-Forwarded-For': ip },
      });

    it('one /64 locks only itself, not another /64 of the same /48', async () => {
      const owner = await registerUser(t);
      for (let i = 0; i < 50; i++) {
        const response = await loginFrom(
          `2001:db8:5:1::${(i + 1).toString(16)}`,
          `made-up-${i % 5}@example.test`,
          WRONG,
        );
        expect(response.status).toBe(401);
      }
      const attacker = await loginFrom('2001:db8:5:1::ffff', owner.email, owner.password);
      expect(attacker.status).toBe(429);
      expect(attacker.headers['retry-after']).toBe('900');
      expect((await loginFrom('2001:db8:5:2::1', owner.email, owner.password)).status).toBe(200);
    });
  });

  describe('password change', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('counts wrong current passwords like failed logins; at the limit the guessing session ends', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      const guess = () =>
        t
          .http()
          .post('/api/users/me/password')
          .set(session.headers)
          .send({ currentPassword: WRONG, newPassword: 'amber-glacier-meadow-77' });
      for (let i = 0; i < 10; i++) expect((await guess()).status).toBe(400);
      const failures = await t.auditEvents({ type: 'password_change_failed', userId: user.id });
      expect(failures.map((event) => event.reason)).toEqual(Array(10).fill('bad_current_password'));
      const [revoked] = await t.auditEvents({ type: 'session_revoked', userId: user.id });
      expect(revoked).toMatchObject({ reason: 'password_guessing', sessionId: failures[0].sessionId });
      expect((await guess()).status).toBe(401);
      const [started] = await t.auditEvents({ type: 'lockout_started', userId: user.id });
      expect(started).toMatchObject({ reason: 'account_ip' });
      // The same lockout as logins: 429 with Retry-After, even with the right password.
      const locked = await login(t, user.email, user.password);
      expect(locked.status).toBe(429);
      expect(locked.headers['retry-after']).toBe('60');
    });

    it('answers 429 with Retry-After to a password change while the account is locked from this address', async () => {
      const user = await registerUser(t);
      const session = await loginBearer(t, user);
      await fail(t, user.email, 10);
      const response = await t
        .http()
        .post('/api/users/me/password')
        .set(session.headers)
        .send({ currentPassword: user.password, newPassword: 'amber-glacier-meadow-77' });
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe('60');
    });
  });

  describe('credential stuffing from one address', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_IP: '20', LOGIN_IP_BLOCK_MIN_ACCOUNTS: '5' } });
    });
    afterAll(() => t.close());

    it('blocks the address once it reaches 20 failures over at least 5 accounts; other addresses are unaffected', async () => {
      const victim = await registerUser(t);
      // 20 failures over 4 accounts: below the account count, not blocked.
      for (let account = 0; account < 4; account++) await fail(t, `target-${account}@example.test`, 5, '127.0.0.5');
      expect((await login(t, victim.email, victim.password, '127.0.0.5')).status).toBe(200);
      expect(await t.auditEvents({ type: 'lockout_started', reason: 'ip' })).toEqual([]);
      // A fifth account: blocked.
      await fail(t, 'target-4@example.test', 1, '127.0.0.5');
      const blocked = await login(t, victim.email, victim.password, '127.0.0.5');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBe(900);
      expect((await login(t, victim.email, victim.password, '127.0.0.1')).status).toBe(200);
      const [started] = await t.auditEvents({ type: 'lockout_started', reason: 'ip' });
      expect(started).toMatchObject({ ip: '127.0.0.5', userId: null });
      expect(started.metadata).toMatchObject({ scope: 'ip', failures: 21, accounts: 5 });
      const [alert] = await t.auditEvents({ type: 'alert_raised', reason: 'credential_stuffing' });
      expect(alert).toMatchObject({ ip: '127.0.0.5' });
      expect(alert.metadata).toMatchObject({ rule: 'credential_stuffing', severity: 'high', accounts: 5 });
      t.clock.advance(15 * 60_000 + 1000);
      expect((await login(t, victim.email, victim.password, '127.0.0.5')).status).toBe(200);
    });

    it('does not block 5 accounts with fewer than 20 failures', async () => {
      const victim = await registerUser(t);
      for (let account = 0; account < 6; account++) await fail(t, `few-${account}@example.test`, 3, '127.0.0.9');
      expect((await login(t, victim.email, victim.password, '127.0.0.9')).status).toBe(200);
    });

    it('does not block an address that fails on one account only (the per-account rule covers that)', async () => {
      const user = await registerUser(t);
      for (let i = 0; i < 2; i++) {
        await fail(t, user.email, 9, '127.0.0.6');
        expect((await login(t, user.email, user.password, '127.0.0.6')).status).toBe(200);
      }
      const other = await registerUser(t);
      expect((await login(t, other.email, other.password, '127.0.0.6')).status).toBe(200);
    });
  });

  describe('request rate limit', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW: '1m' } });
    });
    afterAll(() => t.close());

    it('answers 429 with Retry-After in the shared error shape past the limit', async () => {
      for (let i = 0; i < 3; i++) expect((await rawRequest(t, '/api/health', { from: '127.0.0.7' })).status).toBe(200);
      const limited = await rawRequest(t, '/api/health', { from: '127.0.0.7' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Too many requests, try again later',
      });
      expect((await rawRequest(t, '/api/health', { from: '127.0.0.8' })).status).toBe(200);
    });

    it('counts one budget per client across every route, not one per route', async () => {
      const from = '127.0.0.9';
      expect((await rawRequest(t, '/api/health', { from })).status).toBe(200);
      expect((await rawRequest(t, '/.well-known/jwks.json', { from })).status).toBe(200);
      expect((await rawRequest(t, '/api/health', { from })).status).toBe(200);
      // The fourth request, on a route this client used once, is over the shared budget of 3.
      expect((await rawRequest(t, '/.well-known/jwks.json', { from })).status).toBe(429);
    });

    it('counts exactly at the window boundary, on the application clock', async () => {
      const from = '127.0.0.10';
      for (let i = 0; i < 3; i++) expect((await rawRequest(t, '/api/health', { from })).status).toBe(200);
      expect((await rawRequest(t, '/api/health', { from })).status).toBe(429);
      t.clock.advance(60_000 - 1);
      expect((await rawRequest(t, '/api/health', { from })).status).toBe(429);
      t.clock.advance(1);
      for (let i = 0; i < 3; i++) expect((await rawRequest(t, '/api/health', { from })).status).toBe(200);
      expect((await rawRequest(t, '/api/health', { from })).status).toBe(429);
    });
  });
});
