import { AccountMailer } from '../src/accounts/account-mailer';
import { AccountTokensService } from '../src/accounts/account-tokens.service';
import { PasswordService } from '../src/auth/password.service';
import { UsersService } from '../src/users/users.service';
import { registerUser, STRONG_PASSWORD } from './factories/users';
import { createTestApp, type TestApp } from './helpers/test-app';

/**
 * Registration and reset answer the same for an address with an account and one without: status, body,
 * and the work done before answering (the login's style: the expensive steps are the same on both paths,
 * the differing ones happen after the answer). Timing is never measured here.
 */
describe('no account enumeration through registration or reset', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /**
   * Runs `request` while the given methods are held back: an answer that waited for them would never come,
   * so getting one proves they run after answering. By default token issuing, the database work only a
   * known address needs.
   */
  async function answerWhileHeld<T>(
    request: () => Promise<T>,
    held: [object, string][] = [[t.app.get(AccountTokensService), 'issue']],
  ): Promise<{ answer: T }> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const spies = held.map(([target, method]) => {
      const original = (target as Record<string, (...args: unknown[]) => Promise<unknown>>)[method].bind(target);
      return jest
        .spyOn(target as Record<string, () => Promise<unknown>>, method)
        .mockImplementation(async (...args) => {
          await gate;
          return original(...args);
        });
    });
    try {
      return { answer: await request() };
    } finally {
      release();
      for (const spy of spies) spy.mockRestore();
    }
  }

  it('registration: same status and body, one password hash, everything else after the answer', async () => {
    const taken = await registerUser(t);
    const pending = await registerUser(t, { verified: false });
    const hash = jest.spyOn(t.app.get(PasswordService), 'hash');
    try {
      const answers = [];
      for (const email of [taken.email, pending.email, 'nobody-yet@example.test']) {
        hash.mockClear();
        // A taken address's lookup (and any takeover) and every token wait: the answer does not.
        const { answer } = await answerWhileHeld(
          () => t.http().post('/api/auth/register').send({ email, password: STRONG_PASSWORD }),
          [
            [t.app.get(AccountTokensService), 'issue'],
            [t.app.get(UsersService), 'findByEmail'],
          ],
        );
        expect(hash).toHaveBeenCalledTimes(1);
        answers.push({ status: answer.status, body: answer.body as unknown });
      }
      expect(answers[0]).toEqual({ status: 202, body: { message: expect.any(String) } });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    } finally {
      hash.mockRestore();
    }
    await t.app.get(AccountMailer).idle();
    const reasons = (await t.auditEvents({ type: 'register_refused' })).map((event) => event.reason);
    expect(reasons).toEqual(['email_taken']);
  });

  it('reset: same status and body for a known and an unknown address, token work after the answer', async () => {
    const user = await registerUser(t);
    const known = await answerWhileHeld(() => t.http().post('/api/auth/password-reset').send({ email: user.email }));
    const unknown = await answerWhileHeld(() =>
      t.http().post('/api/auth/password-reset').send({ email: 'ghost@example.test' }),
    );
    expect(known.answer.status).toBe(202);
    expect(unknown.answer.status).toBe(202);
    expect(unknown.answer.body).toEqual(known.answer.body);
    const requested = await t.auditEvents({ type: 'password_reset_requested' });
    expect(requested.map((event) => [event.success, event.reason])).toEqual([
      [true, null],
      [false, 'unknown_email'],
    ]);
  });

  it('rate limits by address whether or not it has an account, and alerts once', async () => {
    const limited = await createTestApp({
      env: { ACCOUNT_MAIL_MAX_PER_ADDRESS: '2', ACCOUNT_MAIL_MAX_PER_CLIENT: '100' },
    });
    try {
      const user = await registerUser(limited);
      for (const email of [user.email, 'nobody@example.test']) {
        const statuses = [];
        for (let i = 0; i < 4; i++) {
          statuses.push((await limited.http().post('/api/auth/password-reset').send({ email })).status);
        }
        expect(statuses).toEqual([202, 202, 429, 429]);
      }
      const alerts = await limited.auditEvents({ type: 'alert_raised', reason: 'password_reset_flood' });
      expect(alerts.map((alert) => alert.userId)).toEqual([user.id, null]);
    } finally {
      await limited.close();
    }
  });

  it('rate limits one client across many addresses, and alerts', async () => {
    const limited = await createTestApp({
      env: { ACCOUNT_MAIL_MAX_PER_ADDRESS: '3', ACCOUNT_MAIL_MAX_PER_CLIENT: '3' },
    });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const response = await limited
          .http()
          .post('/api/auth/password-reset')
          .send({ email: `probe-${i}@example.test` });
        statuses.push(response.status);
        if (response.status === 429) expect(response.headers['retry-after']).toBe('3600');
      }
      expect(statuses).toEqual([202, 202, 202, 429, 429]);
      const alerts = await limited.auditEvents({ type: 'alert_raised', reason: 'password_reset_flood' });
      expect(alerts).toHaveLength(1);
      expect(alerts[0].metadata).toMatchObject({ scope: 'client', severity: 'high' });
    } finally {
      await limited.close();
    }
  });
});
