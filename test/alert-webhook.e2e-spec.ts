import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AlertPayload } from '../src/alerts/alert';
import { WebhookSink } from '../src/alerts/webhook.sink';
import { startWebhookReceiver } from './helpers/webhook-receiver';
import { createTestApp, TestApp } from './helpers/test-app';
import { loginBearer, registerUser, TestUser } from './factories/users';

const SECRET = randomBytes(32).toString('base64url');

/** What a receiver does, written independently of Warden's own code. */
function signatureValid(headers: Record<string, unknown>, body: string): boolean {
  const timestamp = String(headers['x-warden-timestamp']);
  const delivery = String(headers['x-warden-delivery']);
  const signed = `${timestamp}.${delivery}.${body}`;
  const expected = `sha256=${createHmac('sha256', Buffer.from(SECRET, 'base64url')).update(signed).digest('hex')}`;
  const given = Buffer.from(String(headers['x-warden-signature']));
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}

async function raiseReuseAlert(t: TestApp): Promise<TestUser> {
  const user = await registerUser(t);
  const session = await loginBearer(t, user);
  const body = { transport: 'bearer', refreshToken: session.refreshToken };
  await t.http().post('/api/auth/refresh').set('User-Agent', session.userAgent).send(body).expect(200);
  await t.http().post('/api/auth/refresh').send(body).expect(401);
  return user;
}

function webhookEnv(url: string, extra: Record<string, string> = {}) {
  return { ALERT_WEBHOOK_URL: url, ALERT_WEBHOOK_SECRET: SECRET, ALERT_WEBHOOK_BACKOFF_MS: '10', ...extra };
}

describe('alert webhook', () => {
  it('posts the alert as JSON, signed with HMAC-SHA256 over the timestamp, delivery id and body', async () => {
    const receiver = await startWebhookReceiver(() => 204);
    const t = await createTestApp({ env: webhookEnv(receiver.url) });
    try {
      const user = await raiseReuseAlert(t);
      await receiver.deliveries(1);
      const [hook] = receiver.received;
      expect(hook.headers['content-type']).toBe('application/json');
      expect(signatureValid(hook.headers, hook.body)).toBe(true);
      expect(signatureValid(hook.headers, hook.body.replace(user.id, '00000000-0000-4000-8000-000000000000'))).toBe(
        false,
      );
      // A replay under a fresh delivery id (to get past a receiver's dedupe) fails the signature.
      const replayed = { ...hook.headers, 'x-warden-delivery': '00000000-0000-4000-8000-000000000001' };
      expect(signatureValid(replayed, hook.body)).toBe(false);
      const payload = JSON.parse(hook.body) as AlertPayload;
      expect(payload).toEqual({
        id: hook.headers['x-warden-delivery'],
        rule: 'refresh_token_reuse',
        severity: 'high',
        userId: user.id,
        sessionId: expect.any(String),
        ip: '127.0.0.1',
        userAgent: '',
        details: { sessionRevoked: true, flaggedUser: user.id, userFlagId: expect.any(String) },
        raisedAt: expect.any(String),
      });
      const [alert] = await t.auditEvents({ type: 'alert_raised', userId: user.id });
      expect(alert.metadata).toMatchObject({ alertId: payload.id });
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  it('retries a failed delivery with the same delivery id and a fresh signature', async () => {
    const receiver = await startWebhookReceiver((index) => (index === 0 ? 500 : 200));
    const t = await createTestApp({ env: webhookEnv(receiver.url) });
    try {
      await raiseReuseAlert(t);
      await receiver.deliveries(2);
      const [first, second] = receiver.received;
      expect(second.headers['x-warden-delivery']).toBe(first.headers['x-warden-delivery']);
      expect(second.body).toBe(first.body);
      expect(signatureValid(second.headers, second.body)).toBe(true);
      // Delivered: no third attempt follows. One backoff (10 ms base, jittered) was asked of the clock.
      await t.app.get(WebhookSink).idle();
      expect(receiver.received).toHaveLength(2);
      expect(t.clock.sleeps).toHaveLength(1);
      expect(t.clock.sleeps[0]).toBeGreaterThanOrEqual(5);
      expect(t.clock.sleeps[0]).toBeLessThanOrEqual(10);
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  it('gives up after ALERT_WEBHOOK_ATTEMPTS attempts', async () => {
    const receiver = await startWebhookReceiver(() => 503);
    const t = await createTestApp({ env: webhookEnv(receiver.url, { ALERT_WEBHOOK_ATTEMPTS: '3' }) });
    try {
      await raiseReuseAlert(t);
      await receiver.deliveries(3);
      await t.app.get(WebhookSink).idle();
      expect(receiver.received).toHaveLength(3);
      // Exponential backoff between attempts: 10 ms then 20 ms, each jittered down to at most half.
      expect(t.clock.sleeps).toHaveLength(2);
      expect(t.clock.sleeps[1]).toBeGreaterThanOrEqual(10);
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  it('never holds up a request: the login answers while the webhook is still hanging', async () => {
    const receiver = await startWebhookReceiver(() => undefined);
    const t = await createTestApp({ env: webhookEnv(receiver.url, { ALERT_WEBHOOK_TIMEOUT: '60s' }) });
    try {
      const user = await registerUser(t);
      await loginBearer(t, user);
      // A second browser family is a new device: the alert fires inside this login.
      const response = await t
        .http()
        .post('/api/auth/login')
        .set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')
        .send({ email: user.email, password: user.password, transport: 'bearer' });
      expect(response.status).toBe(200);
      await receiver.deliveries(1);
      // The login has its answer, yet the webhook's first attempt has not completed.
      expect(receiver.received[0].response.writableEnded).toBe(false);
      expect((JSON.parse(receiver.received[0].body) as AlertPayload).rule).toBe('new_device_login');
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});
