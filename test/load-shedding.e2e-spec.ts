import { randomUUID } from 'node:crypto';
import { loginBearer, registerUser, TEST_USER_AGENT } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * A login flood meets a bound on concurrent password hashes: one hash at a time and nobody waiting, so of
 * logins sent at once, those that find the slot taken are refused at once with 503 and Retry-After.
 */
describe('password hashing load shedding', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      // The mail limits are raised so that only the lockout answers 429 to the email-change guesses below.
      env: { PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0', ACCOUNT_MAIL_MAX_PER_CLIENT: '1000' },
    });
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) =>
    t.http().post('/api/auth/login').set('User-Agent', TEST_USER_AGENT).send({ email, password, transport: 'bearer' });

  it('answers 503 with Retry-After beyond the bound, audits it, and recovers', async () => {
    const user = await registerUser(t);
    const responses = await Promise.all(Array.from({ length: 8 }, () => login(user.email, user.password)));
    const statuses = responses.map((response) => response.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    const shed = responses.find((response) => response.status === 503)!;
    expect(Number(shed.headers['retry-after'])).toBeGreaterThan(0);
    expect(shed.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The server is busy, try again shortly',
    });
    const [event] = await t.auditEvents({ type: 'password_hashing_shed' });
    expect(event).toMatchObject({ success: false, reason: 'queue_full' });
    // Recovered: once the flood is over, the next login hashes and succeeds.
    await loginBearer(t, user);
  });

  it('does not count shed attempts towards the lockout: only checked passwords do', async () => {
    const user = await registerUser(t);
    const burst = await Promise.all(Array.from({ length: 6 }, () => login(user.email, 'wrong-password-1')));
    const statuses = burst.map((response) => response.status);
    expect(statuses).toContain(503);
    let checked = statuses.filter((status) => status === 401).length;
    // LOGIN_MAX_FAILURES_PER_ACCOUNT_IP (10) checked failures lock the account from this address.
    for (;;) {
      const { status } = await login(user.email, 'wrong-password-1');
      if (status === 429) break;
      expect(status).toBe(401);
      checked += 1;
    }
    expect(checked).toBe(10);
  });

  // The same rule on the other paths that check a current password, for a signed-in user.
  // A password change that reaches the lockout also ends the session that guessed, hence its 401.
  it.each([
    ['a password change', '/api/users/me/password', () => ({ newPassword: 'a-new-passphrase-9' }), 401],
    ['an email change', '/api/users/me/email', () => ({ newEmail: `new-${randomUUID()}@example.com` }), 429],
  ])('does not count shed checks of %s towards the lockout', async (_case, path, rest, lockedOut) => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const guess = () =>
      t
        .http()
        .post(path)
        .set(session.headers)
        .send({ currentPassword: 'wrong-password-1', ...rest() });
    const statuses = (await Promise.all(Array.from({ length: 6 }, guess))).map((response) => response.status);
    expect(statuses).toContain(503);
    let checked = statuses.filter((status) => status === 400).length;
    for (;;) {
      const { status } = await guess();
      if (status !== 400) {
        expect(status).toBe(lockedOut);
        break;
      }
      checked += 1;
    }
    expect(checked).toBe(10);
  });
});
