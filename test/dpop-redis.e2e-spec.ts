import { registerUser, TEST_USER_AGENT } from './factories/users';
import { dpopClient, dpopSessionFrom } from './helpers/dpop';
import { freshPostgresSchema } from './helpers/postgres';
import { freshRedisPrefix } from './helpers/redis';
import { createTestApp, TestApp } from './helpers/test-app';

/**
 * Two instances behind one public URL (a trusted proxy forwards scheme and host), sharing PostgreSQL and
 * Redis: a proof accepted by one is a replay at the other.
 */
describe('DPoP replay cache shared by two instances through Redis', () => {
  const PUBLIC = 'https://api.example.test';
  let a: TestApp;
  let b: TestApp;
  let dropSchema: () => Promise<void>;
  let dropPrefix: () => Promise<void>;

  beforeAll(async () => {
    const schema = await freshPostgresSchema();
    const redis = freshRedisPrefix();
    dropSchema = schema.drop;
    dropPrefix = redis.drop;
    const env = {
      DATABASE_URL: schema.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.prefix,
      TRUST_PROXY: 'loopback',
    };
    a = await createTestApp({ env });
    b = await createTestApp({ env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await dropSchema?.();
    await dropPrefix?.();
  });

  const viaProxy = (t: TestApp, method: 'get' | 'post', path: string) =>
    t
      .http()
      [method](path)
      .set('User-Agent', TEST_USER_AGENT)
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'api.example.test');

  it('a proof used at one instance is refused as a replay at the other', async () => {
    const user = await registerUser(a);
    const client = await dpopClient();
    const login = await viaProxy(a, 'post', '/api/auth/login')
      .set('DPoP', await client.proof('POST', `${PUBLIC}/api/auth/login`))
      .send({ email: user.email, password: user.password, transport: 'bearer' })
      .expect(200);
    const session = dpopSessionFrom(login, client);
    const proof = await client.proof('GET', `${PUBLIC}/api/users/me`, session.accessToken);
    const send = (t: TestApp) =>
      viaProxy(t, 'get', '/api/users/me').set('Authorization', `DPoP ${session.accessToken}`).set('DPoP', proof);
    await send(a).expect(200);
    await send(b).expect(401);
    const [rejected] = await b.auditEvents({ type: 'access_token_rejected', userId: user.id });
    expect(rejected).toMatchObject({ reason: 'dpop_replayed' });
    // A fresh proof is welcome at either.
    const fresh = await client.proof('GET', `${PUBLIC}/api/users/me`, session.accessToken);
    await viaProxy(b, 'get', '/api/users/me')
      .set('Authorization', `DPoP ${session.accessToken}`)
      .set('DPoP', fresh)
      .expect(200);
  });
});
