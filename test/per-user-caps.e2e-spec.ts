import { MAX_KNOWN_DEVICES_PER_USER } from '../src/known-devices/known-devices.service';
import { KnownDevice } from '../src/known-devices/entities/known-device.entity';
import { refreshBearer } from './factories/sessions';
import { bearerFrom, BearerSession, loginBearer, registerUser } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * One account must not be able to pile up rows by logging in over and over while varying its User-Agent
 * (the review made 100 sessions, 100 known devices and 99 new_device_login alerts that way).
 */
describe('per-user caps', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { MAX_SESSIONS_PER_USER: '3' } });
  });
  afterAll(() => t.close());

  const second = () => t.clock.advance(1_000);

  it('MAX_SESSIONS_PER_USER: a login beyond it ends the session unused the longest, audited', async () => {
    const user = await registerUser(t);
    const sessions: BearerSession[] = [];
    for (let i = 0; i < 3; i++) {
      sessions.push(await loginBearer(t, user));
      second();
    }
    // The first session is in use, so the second is the one unused the longest.
    sessions[0] = bearerFrom(await refreshBearer(t, sessions[0].refreshToken).expect(200));
    second();
    sessions.push(await loginBearer(t, user));
    second();
    sessions.push(await loginBearer(t, user));

    const listed = await t.http().get('/api/auth/sessions').set(sessions[4].headers).expect(200);
    expect(listed.body).toHaveLength(3);
    for (const ended of [sessions[1], sessions[2]]) {
      await t.http().get('/api/users/me').set(ended.headers).expect(401);
      await refreshBearer(t, ended.refreshToken).expect(401);
    }
    for (const alive of [sessions[0], sessions[3], sessions[4]]) {
      await t.http().get('/api/users/me').set(alive.headers).expect(200);
    }
    const revoked = await t.auditEvents({ type: 'session_revoked', userId: user.id });
    expect(revoked).toEqual([
      expect.objectContaining({ reason: 'session_limit', metadata: expect.objectContaining({ limit: 3 }) }),
      expect.objectContaining({ reason: 'session_limit', metadata: expect.objectContaining({ limit: 3 }) }),
    ]);
  });

  it('keeps at most MAX_KNOWN_DEVICES_PER_USER known devices and one new-device alert per window', async () => {
    const user = await registerUser(t);
    const logins = MAX_KNOWN_DEVICES_PER_USER + 5;
    for (let i = 0; i < logins; i++) {
      await loginBearer(t, user, `Agent${i}/1.0`);
      second();
    }
    const devices = await t.dataSource.getRepository(KnownDevice).findBy({ userId: user.id });
    expect(devices).toHaveLength(MAX_KNOWN_DEVICES_PER_USER);
    // The devices seen least recently were forgotten.
    expect(devices.map((device) => device.userAgentFamily)).toContain(`Agent${logins - 1}`);
    expect(devices.map((device) => device.userAgentFamily)).not.toContain('Agent0');

    // Every new device is still recorded; the alert is raised once per user and rule within the window.
    const newDevices = await t.auditEvents({ type: 'new_device_login', userId: user.id });
    expect(newDevices).toHaveLength(logins - 1);
    const alerts = () => t.auditEvents({ type: 'alert_raised', userId: user.id, reason: 'new_device_login' });
    expect(await alerts()).toHaveLength(1);

    t.clock.advance(61 * 60_000);
    await loginBearer(t, user, 'AgentAfterTheWindow/1.0');
    expect(await alerts()).toHaveLength(2);
  });
});
