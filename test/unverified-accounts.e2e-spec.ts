import { AccountMailer } from '../src/accounts/account-mailer';
import { loginBearer, registerUser } from './factories/users';
import { bodyOf, type Me, messageOf } from './helpers/api';
import { mailedToken } from './helpers/outbox';
import { rememberSecrets } from './helpers/secret-leaks';
import { createTestApp, type TestApp } from './helpers/test-app';

const ATTACKER_PASSWORD = 'mallory-owns-this-99';
const VICTIM_PASSWORD = 'orchid-lantern-basin-64';

/** What an account whose address is not confirmed may do, and why registering someone else's address first fails. */
describe('unverified accounts', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());
  rememberSecrets(ATTACKER_PASSWORD, VICTIM_PASSWORD);

  const register = (email: string, password: string) =>
    t.http().post('/api/auth/register').send({ email, password }).expect(202);
  const login = (email: string, password: string) =>
    t.http().post('/api/auth/login').send({ email, password, transport: 'bearer' });

  it('cannot log in by default; a wrong password still gets the generic 401', async () => {
    const user = await registerUser(t, { verified: false });
    expect(messageOf(await login(user.email, user.password).expect(403))).toMatch(/Confirm your email address/);
    await login(user.email, 'not-the-password-1').expect(401);
    const failures = await t.auditEvents({ type: 'login_failed', userId: user.id });
    expect(failures.map((event) => event.reason)).toEqual(['email_unverified', 'bad_password']);
  });

  it('pre-hijacking: a victim registering the address an attacker registered first takes the account over', async () => {
    const email = 'victim@example.test';
    await register(email, ATTACKER_PASSWORD);
    const attackerLink = await mailedToken(t, email, 'verify_email');
    await register(email, VICTIM_PASSWORD);
    const victimLink = await mailedToken(t, email, 'verify_email');

    // The attacker's link died with the newer registration; the victim's confirms the victim's password.
    await t.http().post('/api/auth/verify-email').send({ token: attackerLink }).expect(400);
    await t.http().post('/api/auth/verify-email').send({ token: victimLink }).expect(200);
    await login(email, ATTACKER_PASSWORD).expect(401);
    await login(email, VICTIM_PASSWORD).expect(200);

    // Once verified, the account is nobody's to take: a third registration changes nothing.
    await register(email, ATTACKER_PASSWORD);
    await t.app.get(AccountMailer).idle();
    await login(email, VICTIM_PASSWORD).expect(200);
    await login(email, ATTACKER_PASSWORD).expect(401);
  });

  it('a password reset proves the mailbox, so it also confirms the address', async () => {
    const user = await registerUser(t, { verified: false });
    await t.http().post('/api/auth/password-reset').send({ email: user.email }).expect(202);
    const token = await mailedToken(t, user.email, 'password_reset');
    await t.http().post('/api/auth/password-reset/confirm').send({ token, newPassword: VICTIM_PASSWORD }).expect(204);
    const session = await loginBearer(t, { ...user, password: VICTIM_PASSWORD });
    const me = await t.http().get('/api/users/me').set(session.headers).expect(200);
    expect(bodyOf<Me>(me).emailVerified).toBe(true);
  });

  it('UNVERIFIED_LOGIN=allow: logs in, and the profile says the address is unconfirmed', async () => {
    const lenient = await createTestApp({ env: { UNVERIFIED_LOGIN: 'allow' } });
    try {
      const user = await registerUser(lenient, { verified: false });
      const session = await loginBearer(lenient, user);
      const me = await lenient.http().get('/api/users/me').set(session.headers).expect(200);
      expect(me.body).toMatchObject({ email: user.email, emailVerified: false });
      await lenient
        .http()
        .post('/api/auth/verify-email')
        .send({ token: await mailedToken(lenient, user.email, 'verify_email') })
        .expect(200);
      expect(bodyOf<Me>(await lenient.http().get('/api/users/me').set(session.headers).expect(200)).emailVerified).toBe(
        true,
      );
    } finally {
      await lenient.close();
    }
  });

  it('UNVERIFIED_LOGIN=allow: the sessions of a pre-registered account end when its owner registers it', async () => {
    const lenient = await createTestApp({ env: { UNVERIFIED_LOGIN: 'allow' } });
    try {
      const email = 'owner@example.test';
      const attacker = await registerUser(lenient, { email, password: ATTACKER_PASSWORD, verified: false });
      const session = await loginBearer(lenient, attacker);
      await lenient.http().post('/api/auth/register').send({ email, password: VICTIM_PASSWORD }).expect(202);
      await lenient.app.get(AccountMailer).idle(); // the takeover happens after the answer
      await lenient.http().get('/api/users/me').set(session.headers).expect(401);
      await lenient
        .http()
        .post('/api/auth/refresh')
        .send({ transport: 'bearer', refreshToken: session.refreshToken })
        .expect(401);
      await loginBearer(lenient, { ...attacker, password: VICTIM_PASSWORD });
    } finally {
      await lenient.close();
    }
  });
});
