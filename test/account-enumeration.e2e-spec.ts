import { AccountTokensService } from '../src/accounts/account-tokens.service';
import { PasswordService } from '../src/auth/password.service';
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
   * Runs `request` while token issuing (the database work only a known address needs) is held back: an
   * answer that waited for it would never come, so getting one proves the work happens after answering.
   */
  async function answerWithTokenWorkHeld<T>(request: () => Promise<T>): Promise<{ answer: T }> {
    const tokens = t.app.get(AccountTokensService);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const issue = tokens.issue.bind(tokens);
    const spy = jest.spyOn(tokens, 'issue').mockImplementation(async (...args) => {
      await held;
      return issue(...args);
    });
    try {
      const answer = await request();
      return { answer };
    } finally {
      release();
      spy.mockRestore();
    }
  }

  it('registration: same status and body, one password hash, token work after the answer', async () => {
    const taken = await registerUser(t);
    const pending = await registerUser(t, { verified: false });
    const hash = jest.spyOn(t.app.get(PasswordService), 'hash');
    try {
      const answers = [];
      for (const email of [taken.email, pending.email, 'nobody-yet@example.test']) {
        hash.mockClear();
        const { answer } = await answerWithTokenWorkHeld(() =>
          t.http().post('/api/auth/register').send({ email, password: STRONG_PASSWORD }),
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
    const reasons = (await t.auditEvents({ type: 'register_refused' })).map((event) => event.reason);
    expect(reasons).toEqual(['email_taken']);
  });

  it('reset: same status and body for a known and an unknown address, token work after the answer', async () => {
    const user = await registerUser(t);
    const known = await answerWithTokenWorkHeld(() =>
      t.http().post('/api/auth/password-reset').send({ email: user.email }),
    );
    const unknown = await answerWithTokenWorkHeld(() =>
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
