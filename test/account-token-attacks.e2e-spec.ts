import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AccountTokenPurgeJob } from '../src/accounts/account-token-purge.job';
import { hashToken } from '../src/accounts/account-tokens.service';
import { AccountToken } from '../src/accounts/entities/account-token.entity';
import { bearerFrom, loginBearer, registerUser, STRONG_PASSWORD, type TestUser } from './factories/users';
import { type ApiError, bodyOf } from './helpers/api';
import { mailedToken } from './helpers/outbox';
import { describeOnBothDatabases } from './helpers/databases';
import { rememberSecrets } from './helpers/secret-leaks';
import type { TestApp } from './helpers/test-app';

const NEW_PASSWORD = 'quartz-meadow-falcon-31';
const INVALID = { statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/invalid, has expired/) };

/** Every way to misuse a mailed link, refused with the same 400, the reason only in the audit log. */
describeOnBothDatabases('mailed-link token attacks on %s', (database) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await database.start();
  });
  afterAll(() => t?.close());

  rememberSecrets(NEW_PASSWORD);
  const requestReset = (user: TestUser) =>
    t.http().post('/api/auth/password-reset').send({ email: user.email }).expect(202);
  const confirmReset = (token: string, newPassword = NEW_PASSWORD) =>
    t.http().post('/api/auth/password-reset/confirm').send({ token, newPassword });
  const refusals = async (userId?: string) =>
    (await t.auditEvents({ type: 'account_token_refused', ...(userId ? { userId } : {}) })).map((e) => e.reason);

  it('stores only a hash of each token', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const token = await mailedToken(t, user.email, 'password_reset');
    const rows = await t.dataSource.getRepository(AccountToken).findBy({ userId: user.id });
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.tokenHash))).toBe(true);
  });

  it('refuses reuse', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const token = await mailedToken(t, user.email, 'password_reset');
    await confirmReset(token).expect(204);
    expect((await confirmReset(token, 'another-strong-pass-5').expect(400)).body).toEqual(INVALID);
    expect(await refusals(user.id)).toEqual(['reused']);
    await loginBearer(t, { ...user, password: NEW_PASSWORD });
  });

  it('lets exactly one of two concurrent uses win, even when both passed the first checks', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const token = await mailedToken(t, user.email, 'password_reset');
    // Both requests read the token (unspent) before either tries to spend it: only the conditional spend decides.
    const repository = t.app.get<Repository<AccountToken>>(getRepositoryToken(AccountToken));
    const lookup = repository.findOneBy.bind(repository);
    let arrived = 0;
    let release!: () => void;
    const bothArrived = new Promise<void>((resolve) => (release = resolve));
    const spy = jest.spyOn(repository, 'findOneBy').mockImplementation(async (where) => {
      const found = await lookup(where);
      if (++arrived === 2) release();
      await bothArrived;
      return found;
    });
    let results;
    try {
      results = await Promise.all([confirmReset(token, NEW_PASSWORD), confirmReset(token, 'rival-strong-pass-88')]);
    } finally {
      spy.mockRestore();
    }
    expect(results.map((response) => response.status).sort()).toEqual([204, 400]);
    const winner =
      results.find((response) => response.status === 204) === results[0] ? NEW_PASSWORD : 'rival-strong-pass-88';
    rememberSecrets('rival-strong-pass-88');
    await loginBearer(t, { ...user, password: winner });
  });

  it('refuses an expired token', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const token = await mailedToken(t, user.email, 'password_reset');
    t.clock.advance(30 * 60 * 1000); // PASSWORD_RESET_TTL
    await confirmReset(token).expect(400);
    expect(await refusals(user.id)).toEqual(['expired']);
  });

  it('refuses a token superseded by a newer one, and the newer one works', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const older = await mailedToken(t, user.email, 'password_reset');
    await requestReset(user);
    const newer = await mailedToken(t, user.email, 'password_reset');
    expect(newer).not.toBe(older);
    await confirmReset(older).expect(400);
    await confirmReset(newer).expect(204);
    expect(await refusals(user.id)).toEqual(['superseded']);
  });

  it('refuses a token issued before a password change', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const token = await mailedToken(t, user.email, 'password_reset');
    const session = await loginBearer(t, user);
    await t
      .http()
      .post('/api/users/me/password')
      .set(session.headers)
      .send({ currentPassword: STRONG_PASSWORD, newPassword: 'harbor-quartz-meadow-63' })
      .expect(200);
    rememberSecrets('harbor-quartz-meadow-63');
    await confirmReset(token).expect(400);
    expect(await refusals(user.id)).toEqual(['stale']);
  });

  it('refuses a tampered token and a made-up one without touching any account', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const token = await mailedToken(t, user.email, 'password_reset');
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [flipped, token.slice(1), `${token}x`, 'A'.repeat(43), '../../etc/passwd', '']) {
      expect(bodyOf<ApiError>(await confirmReset(forged).expect(400)).statusCode).toBe(400);
    }
    await confirmReset(token).expect(204);
  });

  it("refuses a token for another purpose, and one user's link never acts on another user", async () => {
    const alice = await registerUser(t, { verified: false });
    const mallory = await registerUser(t);
    const verification = await mailedToken(t, alice.email, 'verify_email');
    // A verification token is no reset token, even for the same user.
    await confirmReset(verification).expect(400);
    expect(await refusals(alice.id)).toEqual(['wrong_purpose']);
    // Mallory's own reset link changes Mallory's password only.
    await requestReset(mallory);
    await confirmReset(await mailedToken(t, mallory.email, 'password_reset')).expect(204);
    await t.http().post('/api/auth/login').send({ email: alice.email, password: NEW_PASSWORD }).expect(401);
    await t.http().post('/api/auth/verify-email').send({ token: verification }).expect(200);
  });

  it("the owner's undo link survives what a thief does next: a password change and a second address change", async () => {
    const owner = await registerUser(t);
    let thief = await loginBearer(t, owner);
    const changeTo = async (newEmail: string, currentPassword: string) => {
      await t.http().post('/api/users/me/email').set(thief.headers).send({ currentPassword, newEmail }).expect(202);
      const token = await mailedToken(t, newEmail, 'email_change_verify');
      await t.http().post('/api/auth/email-change/confirm').send({ token }).expect(200);
    };
    await changeTo(`thief-${owner.id}@example.test`, STRONG_PASSWORD);
    const undo = await mailedToken(t, owner.email, 'email_changed_notice');
    // A password change hands the caller fresh tokens; the thief carries on with them.
    const changed = await t
      .http()
      .post('/api/users/me/password')
      .set(thief.headers)
      .send({ currentPassword: STRONG_PASSWORD, newPassword: 'cobalt-meadow-lantern-58' })
      .expect(200);
    rememberSecrets('cobalt-meadow-lantern-58');
    thief = bearerFrom(changed);
    await changeTo(`thief2-${owner.id}@example.test`, 'cobalt-meadow-lantern-58');

    await t.http().post('/api/auth/email-change/undo').send({ token: undo }).expect(200, { email: owner.email });
    await t.http().get('/api/users/me').set(thief.headers).expect(401);
    // Back at the owner's address, with a reset link there to replace the thief's password.
    await t
      .http()
      .post('/api/auth/password-reset/confirm')
      .send({ token: await mailedToken(t, owner.email, 'password_reset'), newPassword: NEW_PASSWORD })
      .expect(204);
    await loginBearer(t, { ...owner, password: NEW_PASSWORD });
    await t.http().post('/api/auth/email-change/undo').send({ token: undo }).expect(400);
  });

  it('purges dead tokens a day after they died, keeping live ones', async () => {
    const user = await registerUser(t);
    await requestReset(user);
    const spent = await mailedToken(t, user.email, 'password_reset');
    await confirmReset(spent).expect(204);
    t.clock.advance(25 * 60 * 60 * 1000);
    await requestReset(user);
    const live = await mailedToken(t, user.email, 'password_reset');
    await t.app.get(AccountTokenPurgeJob).run();
    const left = await t.dataSource.getRepository(AccountToken).findBy({ userId: user.id, purpose: 'reset_password' });
    expect(left.map((row) => row.tokenHash)).toEqual([hashToken(live)]);
  });

  it('answers a token of the wrong type with 400, never a 5xx', async () => {
    for (const token of [123, null, ['a'], { $ne: null }, 'x'.repeat(500)]) {
      await t.http().post('/api/auth/verify-email').send({ token }).expect(400);
    }
  });
});
