import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TotpFactor } from '../src/mfa/entities/totp-factor.entity';
import { TotpSecrets } from '../src/mfa/totp-secrets';
import { enrolTotp, loginBearerWithTotp, passwordStep, type AuthenticatorApp } from './factories/mfa';
import { loginBearer, registerUser, TEST_USER_AGENT, type TestUser } from './factories/users';
import { describeOnBothDatabases } from './helpers/databases';
import { FakeClock } from './helpers/fake-clock';
import { createTestApp, type TestApp } from './helpers/test-app';

/**
 * TOTP secrets cannot be hashed (the server computes codes from them), so they are sealed under
 * KEY_ENCRYPTION_KEY: a copy of the table alone yields no second factor.
 */
async function enrolledUser(t: TestApp): Promise<{ user: TestUser; app: AuthenticatorApp }> {
  const user = await registerUser(t);
  return { user, ...(await enrolTotp(t, await loginBearer(t, user))) };
}

const factorOf = (t: TestApp, user: TestUser) =>
  t.dataSource.getRepository(TotpFactor).findOneByOrFail({ userId: user.id });
/** How a build before sealing stored a secret: base64url, in the clear. */
const inClear = (app: AuthenticatorApp) => Buffer.from(app.totp.secret.bytes).toString('base64url');

describeOnBothDatabases('TOTP secrets at rest on %s', (database) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await database.start();
  });
  afterAll(() => t?.close());

  it('stores the secret sealed: neither its bytes nor its base32 are in the table', async () => {
    const { user, app } = await enrolledUser(t);
    const { secret } = await factorOf(t, user);
    expect(secret).toMatch(/^v2\.[A-Za-z0-9_-]+$/);
    expect(secret).not.toContain(inClear(app));
    expect(secret).not.toContain(app.totp.secret.base32);
    await loginBearerWithTotp(t, user, app);
  });

  it("refuses the codes of a sealed secret moved onto another user's row", async () => {
    const owner = await enrolledUser(t);
    const victim = await enrolledUser(t);
    await t.dataSource
      .getRepository(TotpFactor)
      .update({ userId: victim.user.id }, { secret: (await factorOf(t, owner.user)).secret });
    const { challenge } = await passwordStep(t, victim.user);
    await t
      .http()
      .post('/api/auth/login/second-factor')
      .set('User-Agent', TEST_USER_AGENT)
      .send({ challenge, code: owner.app.code() })
      .expect(401);
  });

  it('seals a secret stored in the clear, on its first use and at start-up', async () => {
    const used = await enrolledUser(t);
    const idle = await enrolledUser(t);
    const factors = t.dataSource.getRepository(TotpFactor);
    for (const { user, app } of [used, idle]) await factors.update({ userId: user.id }, { secret: inClear(app) });

    await loginBearerWithTotp(t, used.user, used.app);
    expect((await factorOf(t, used.user)).secret).toMatch(/^v2\./);

    expect((await factorOf(t, idle.user)).secret).toBe(inClear(idle.app));
    expect(await t.app.get(TotpSecrets).resealAll({ plaintextOnly: true })).toEqual({
      needed: 1,
      resealed: 1,
      unreadable: 0,
    });
    expect((await factorOf(t, idle.user)).secret).toMatch(/^v2\./);
    await loginBearerWithTotp(t, idle.user, idle.app);
  });
});

describe('TOTP secrets across a restart', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-totp-'));
  const env = { DATABASE_URL: `sqlite:${join(directory, 'warden.sqlite')}`, KEY_ENCRYPTION_KEY_PREVIOUS: undefined };
  // One clock for every start: the authenticator app and each server must agree on the time step.
  const clock = new FakeClock();
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('start-up seals what an earlier build stored in the clear; a new KEY_ENCRYPTION_KEY re-seals on use', async () => {
    const oldKey = randomBytes(32).toString('base64url');
    const newKey = randomBytes(32).toString('base64url');
    const first = await createTestApp({ env: { ...env, KEY_ENCRYPTION_KEY: oldKey }, clock });
    let enrolled: { user: TestUser; app: AuthenticatorApp };
    try {
      enrolled = await enrolledUser(first);
      await first.dataSource
        .getRepository(TotpFactor)
        .update({ userId: enrolled.user.id }, { secret: inClear(enrolled.app) });
    } finally {
      await first.close();
    }

    const second = await createTestApp({ env: { ...env, KEY_ENCRYPTION_KEY: oldKey }, clock });
    try {
      expect((await factorOf(second, enrolled.user)).secret).toMatch(/^v2\./);
    } finally {
      await second.close();
    }

    // The key changes: the previous one still opens the secret, which is re-sealed under the new one.
    const changing = await createTestApp({
      env: { ...env, KEY_ENCRYPTION_KEY: newKey, KEY_ENCRYPTION_KEY_PREVIOUS: oldKey },
      clock,
    });
    try {
      const before = (await factorOf(changing, enrolled.user)).secret;
      await loginBearerWithTotp(changing, enrolled.user, enrolled.app);
      expect((await factorOf(changing, enrolled.user)).secret).not.toBe(before);
    } finally {
      await changing.close();
    }

    const done = await createTestApp({ env: { ...env, KEY_ENCRYPTION_KEY: newKey }, clock });
    try {
      await loginBearerWithTotp(done, enrolled.user, enrolled.app);
    } finally {
      await done.close();
    }
  });
});
