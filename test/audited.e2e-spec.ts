import { AccountMailer } from '../src/accounts/account-mailer';
import { User } from '../src/users/entities/user.entity';
import { randomUUID } from 'node:crypto';
import { loginBearer, loginCookie, registerUser, STRONG_PASSWORD, TEST_USER_AGENT } from './factories/users';
import { decodeJwt } from 'jose';
import { bodyOf } from './helpers/api';
import { CLIENT_ID, startOpenIdProvider } from './helpers/oidc-provider';
import { ProbeModule } from './helpers/probe.module';
import { createTestApp, TestApp } from './helpers/test-app';

/** A route declares its event with @Audited; the audit interceptor records how each request ended. */
describe('@Audited routes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ProbeModule] });
  });
  afterAll(() => t.close());

  it('records a success with actor, session, transport, request id, target from the result and duration', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const response = await t.http().post('/api/probe/things').set(session.headers).expect(201);
    const [event] = await t.auditEvents({ type: 'thing_created' });
    expect(event).toMatchObject({
      success: true,
      userId: user.id,
      sessionId: expect.any(String),
      ip: '127.0.0.1',
      userAgent: TEST_USER_AGENT,
      reason: null,
      metadata: {
        status: 201,
        transport: 'bearer',
        requestId: response.headers['x-request-id'],
        targetId: bodyOf<{ id: string }>(response).id,
        durationMs: expect.any(Number),
      },
    });
    const [login] = await t.auditEvents({ type: 'login', userId: user.id });
    expect(event.sessionId).toBe(login.sessionId);
  });

  it('takes the target from a route parameter, and records the cookie transport', async () => {
    const session = await loginCookie(t, await registerUser(t));
    await t.http().delete('/api/probe/things/present').set(session.headers).expect(204);
    const [event] = await t.auditEvents({ type: 'thing_deleted', success: true });
    expect(event.metadata).toMatchObject({ status: 204, transport: 'cookie', targetId: 'present' });
  });

  it('records a failure with its status and a reason from the status alone, and the client gets the error unchanged', async () => {
    const session = await loginBearer(t, await registerUser(t));
    const probe = `x${'<script>'.repeat(40)}`;
    const response = await t
      .http()
      .delete(`/api/probe/things/${encodeURIComponent(probe)}`)
      .set(session.headers)
      .expect(404);
    expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: `No thing called ${probe}` });
    const [event] = await t.auditEvents({ type: 'thing_deleted', success: false });
    expect(event).toMatchObject({ success: false, reason: 'not_found', metadata: { status: 404 } });
    // The caller's text is cut to the length of an id before it is stored.
    const targetId = (event.metadata as { targetId: string }).targetId;
    expect(probe.startsWith(targetId)).toBe(true);
    expect(targetId).toHaveLength(64);

    const teapot = await t.http().post('/api/probe/teapot').set(session.headers).expect(418);
    expect(teapot.body).toEqual({ statusCode: 418, error: "I'm a Teapot", message: 'Short and stout' });
    expect(await t.auditEvents({ type: 'teapot_brewed' })).toEqual([
      expect.objectContaining({
        success: false,
        reason: 'i_m_a_teapot',
        metadata: expect.objectContaining({ status: 418 }),
      }),
    ]);
  });

  it('records an unexpected error as a 500 without its message, and the client still sees only the generic 500', async () => {
    const session = await loginBearer(t, await registerUser(t));
    const response = await t.http().post('/api/probe/crash').set(session.headers).expect(500);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    });
    const [event] = await t.auditEvents({ type: 'thing_crashed' });
    expect(event).toMatchObject({ success: false, reason: 'internal_server_error', metadata: { status: 500 } });
    expect(JSON.stringify(event)).not.toContain('hunter2');
  });

  it('records nothing for a route without @Audited, nor for a request the guards refused', async () => {
    const user = await registerUser(t);
    const session = await loginBearer(t, user);
    const before = (await t.auditEvents({ userId: user.id })).length;
    await t.http().post('/api/probe/unaudited').set(session.headers).expect(204);
    await t.http().post('/api/probe/admin-only').set(session.headers).expect(403);
    expect(await t.auditEvents({ userId: user.id })).toHaveLength(before);
    const created = (await t.auditEvents({ type: 'thing_created' })).length;
    await t.http().post('/api/probe/things').expect(401);
    expect(await t.auditEvents({ type: 'thing_created' })).toHaveLength(created);
  });

  it("on a public route, a parameter naming a user never makes the event that user's", async () => {
    const victim = await registerUser(t);
    await t.http().post(`/api/probe/claims/${victim.id}`).expect(204);
    expect(await t.auditEvents({ type: 'claim_made' })).toEqual([
      expect.objectContaining({
        userId: null,
        sessionId: null,
        metadata: expect.objectContaining({ targetId: victim.id }),
      }),
    ]);
  });

  describe("Warden's own routes", () => {
    // Registration is audited by its service (src/accounts/), not @Audited: it answers 202 whatever the address.
    it('register: the event belongs to the new account; a taken address is recorded, not answered differently', async () => {
      const email = `audited-${randomUUID()}@example.test`;
      await t.http().post('/api/auth/register').send({ email, password: STRONG_PASSWORD }).expect(202);
      const users = t.dataSource.getRepository(User);
      const user = await users.findOneByOrFail({ email });
      expect(await t.auditEvents({ type: 'register', userId: user.id })).toEqual([
        expect.objectContaining({ success: true }),
      ]);
      await users.update({ id: user.id }, { emailVerifiedAt: new Date() });
      await t.http().post('/api/auth/register').send({ email, password: STRONG_PASSWORD }).expect(202);
      await t.app.get(AccountMailer).idle();
      expect(await t.auditEvents({ type: 'register_refused', userId: user.id })).toEqual([
        expect.objectContaining({ success: false, reason: 'email_taken' }),
      ]);
    });

    it('logout: recorded with the session it ended', async () => {
      const user = await registerUser(t);
      const session = await loginCookie(t, user);
      await t.http().post('/api/auth/logout').set(session.headers).expect(204);
      const [login] = await t.auditEvents({ type: 'login', userId: user.id });
      expect(await t.auditEvents({ type: 'logout', userId: user.id })).toEqual([
        expect.objectContaining({
          success: true,
          sessionId: login.sessionId,
          metadata: expect.objectContaining({ status: 204, transport: 'cookie' }),
        }),
      ]);
    });
  });
});

describe('@Audited routes open to external issuers', () => {
  it('records an external principal by issuer and subject, never as a Warden user or session', async () => {
    const op = await startOpenIdProvider();
    const trusted = { issuer: op.issuer, audience: 'https://api.warden.test', algorithms: ['ES256'] };
    const t = await createTestApp({ imports: [ProbeModule], env: { EXTERNAL_ISSUERS: JSON.stringify([trusted]) } });
    try {
      const token = await op.accessToken();
      const response = await t.http().get('/api/probe/external').set('Authorization', `Bearer ${token}`).expect(200);
      expect(response.headers['access-token-expires-at']).toBe(
        new Date((decodeJwt(token).exp as number) * 1000).toISOString(),
      );
      expect(await t.auditEvents({ type: 'external_probe' })).toEqual([
        expect.objectContaining({
          success: true,
          userId: null,
          sessionId: null,
          metadata: expect.objectContaining({ issuer: op.issuer, subject: CLIENT_ID, transport: 'bearer' }),
        }),
      ]);
    } finally {
      await t.close();
      await op.close();
    }
  });
});
