import { SessionStartService } from '../src/sessions/session-start.service';
import { refreshBearer } from './factories/sessions';
import { bearerFrom, loginBearer, registerUser } from './factories/users';
import { describeOnBothDatabases } from './helpers/databases';
import type { TestApp } from './helpers/test-app';

/**
 * A login that has checked the old password but not yet started its session, while the owner changes the
 * password (or ends every session). The login is held at exactly that point, so the race is not left to
 * timing: once released, it must not produce a working session.
 */
describeOnBothDatabases('credential changes racing a login, on %s', (database) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await database.start();
  });
  afterAll(() => t?.close());

  /** Holds the next session start until `release()`, and says when a login has reached it. */
  function holdNextSessionStart() {
    const sessions = t.app.get(SessionStartService);
    const start = sessions.start.bind(sessions);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    const spy = jest.spyOn(sessions, 'start').mockImplementationOnce(async (...args) => {
      reached();
      await released;
      return start(...args);
    });
    return { arrived, release: () => (release(), spy.mockRestore()) };
  }

  it.each([
    [
      'a password change',
      (owner: { headers: Record<string, string> }, password: string) =>
        t
          .http()
          .post('/api/users/me/password')
          .set(owner.headers)
          .send({ currentPassword: password, newPassword: 'a-completely-new-passphrase' })
          .expect(200),
    ],
    [
      'logout-all',
      (owner: { headers: Record<string, string> }) =>
        t.http().post('/api/auth/logout-all').set(owner.headers).expect(204),
    ],
  ])('a login held across %s gets no working session', async (_change, change) => {
    const victim = await registerUser(t);
    const owner = await loginBearer(t, victim, 'Owner');
    const hold = holdNextSessionStart();
    const login = t
      .http()
      .post('/api/auth/login')
      .set('User-Agent', 'Attacker/1.0')
      .send({ email: victim.email, password: victim.password, transport: 'bearer' })
      .then((response) => response);
    await hold.arrived;
    await change(owner, victim.password);
    hold.release();
    const response = await login;
    if (response.status === 200) {
      const stolen = bearerFrom(response, 'Attacker/1.0');
      await t.http().get('/api/users/me').set(stolen.headers).expect(401);
      await refreshBearer(t, stolen.refreshToken, 'Attacker/1.0').expect(401);
    }
    expect(response.status).toBe(401);
    expect((await t.auditEvents({ type: 'login_failed', userId: victim.id })).at(-1)?.reason).toBe(
      'credentials_changed',
    );
  });
});
