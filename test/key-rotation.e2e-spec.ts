import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { printKeys } from '../src/cli/keys-list';
import { SigningKey } from '../src/keys/entities/signing-key.entity';
import { KeyRefreshJob } from '../src/keys/key-refresh.job';
import { KeyRotationService, RotationResult } from '../src/keys/key-rotation.service';
import { KeyStore } from '../src/keys/key-store.service';
import { loginBearer, registerUser, TestUser } from './factories/users';
import { FakeClock } from './helpers/fake-clock';
import { bodyOf, type Health, type Jwks } from './helpers/api';
import { decodeJwt, forgeJwt, kidOf } from './helpers/jwt';
import { freshPostgresSchema } from './helpers/postgres';
import { createTestApp, TestApp } from './helpers/test-app';

const MINUTE = 60 * 1000;

async function jwksKids(t: TestApp): Promise<string[]> {
  const response = await t.http().get('/.well-known/jwks.json').expect(200);
  return bodyOf<Jwks>(response)
    .keys.map((key) => key.kid)
    .sort();
}

async function states(t: TestApp): Promise<Record<string, string>> {
  const rows = await t.dataSource.getRepository(SigningKey).find();
  return Object.fromEntries(rows.map((row) => [row.kid, row.state]));
}

function tempDatabase(): { url: string; remove: () => void } {
  const file = join(tmpdir(), `warden-keys-${randomUUID()}.sqlite`);
  return { url: `sqlite:${file}`, remove: () => rmSync(file, { force: true }) };
}

describe('signing-key rotation', () => {
  describe('under traffic, on one instance', () => {
    let t: TestApp;
    let user: TestUser;

    beforeAll(async () => {
      t = await createTestApp();
      user = await registerUser(t);
    });
    afterAll(() => t.close());

    it('publishes the next key before it signs, keeps old tokens valid until retireAt, then drops the old key', async () => {
      const rotation = t.app.get(KeyRotationService);
      const before = await loginBearer(t, user);
      const oldKid = kidOf(before.accessToken);
      expect(await jwksKids(t)).toEqual([oldKid]);

      // Stage 1: the next key is public, but signing has not moved to it.
      const { key: next } = await rotation.publishNext();
      expect(await states(t)).toEqual({ [oldKid]: 'active', [next.kid]: 'next' });
      expect(await jwksKids(t)).toEqual([oldKid, next.kid].sort());
      expect(kidOf((await loginBearer(t, user)).accessToken)).toBe(oldKid);

      // Stage 2: rotation. New tokens carry the new kid; the old key retires but still verifies.
      const result = await rotation.rotate('manual');
      expect(result).toMatchObject({ previous: { kid: oldKid }, active: { kid: next.kid }, createdNow: false });
      expect(await states(t)).toEqual({ [oldKid]: 'retiring', [next.kid]: 'active' });
      const after = await loginBearer(t, user);
      expect(kidOf(after.accessToken)).toBe(next.kid);
      await t.http().get('/api/users/me').set(before.headers).expect(200);
      await t.http().get('/api/users/me').set(after.headers).expect(200);
      expect(await jwksKids(t)).toEqual([oldKid, next.kid].sort());

      const [event] = await t.auditEvents({ type: 'key_rotated' });
      expect(event.metadata).toMatchObject({ trigger: 'manual', activeKid: next.kid, previousKid: oldKid });

      // retireAt covers the 60-minute TTL cap, one refresh interval and the leeway.
      const row = await t.dataSource.getRepository(SigningKey).findOneByOrFail({ kid: oldKid });
      expect(row.retireAt!.getTime() - row.deactivatedAt!.getTime()).toBe(rotation.retireDelaySeconds() * 1000);
      t.clock.advance(50 * MINUTE);
      await t.http().get('/api/users/me').set(before.headers).expect(200);

      // Stage 3: past retireAt the old key verifies nothing, even before the next poll.
      t.clock.set(new Date(row.retireAt!.getTime() + 1000));
      await t.http().get('/api/users/me').set(before.headers).expect(401);
      await t.http().get('/api/users/me').set(after.headers).expect(200);
      expect(await jwksKids(t)).toEqual([next.kid]);
      const rejections = await t.auditEvents({ type: 'access_token_rejected' });
      expect(rejections.at(-1)?.reason).toBe('unknown_kid');

      // The poll marks it retired and erases its private key.
      await t.app.get(KeyRefreshJob).run();
      const retired = await t.dataSource.getRepository(SigningKey).findOneByOrFail({ kid: oldKid });
      expect(retired).toMatchObject({ state: 'retired', encryptedPrivateKey: '' });
    });

    it('serves the JWKS and the discovery document with a max-age shorter than the pre-publish lead', async () => {
      const jwks = await t.http().get('/.well-known/jwks.json').expect(200);
      expect(jwks.headers['cache-control']).toBe('public, max-age=300');
      const discovery = await t.http().get('/.well-known/openid-configuration').expect(200);
      expect(discovery.headers['cache-control']).toBe('public, max-age=300');
      expect(discovery.body).toEqual({
        issuer: 'http://localhost:3000',
        jwks_uri: 'http://localhost:3000/.well-known/jwks.json',
        warden_login_endpoint: 'http://localhost:3000/api/auth/login',
        warden_refresh_endpoint: 'http://localhost:3000/api/auth/refresh',
        warden_logout_endpoint: 'http://localhost:3000/api/auth/logout',
        warden_sessions_endpoint: 'http://localhost:3000/api/auth/sessions',
      });
    });

    it('lists keys without private material', async () => {
      const lines: string[] = [];
      await printKeys(t.dataSource, (line) => lines.push(line));
      expect(lines.length).toBeGreaterThan(1);
      const kids = (await t.dataSource.getRepository(SigningKey).find()).map((row) => row.kid);
      expect(lines.slice(1).map((line) => line.split('\t')[0])).toEqual(expect.arrayContaining(kids));
      const sealed = (await t.dataSource.getRepository(SigningKey).find()).map((row) => row.encryptedPrivateKey);
      expect(sealed.filter(Boolean).length).toBeGreaterThan(0);
      for (const value of sealed.filter(Boolean)) expect(lines.join('\n')).not.toContain(value.slice(0, 16));
    });

    it('refuses a second active key at the database level', async () => {
      const keys = t.dataSource.getRepository(SigningKey);
      const active = await keys.findOneByOrFail({ state: 'active' });
      await expect(keys.insert({ ...active, kid: 'intruder' })).rejects.toThrow(/unique/i);
    });

    it('revokes a key at once: out of the JWKS, its tokens refused, a new active key signing', async () => {
      const session = await loginBearer(t, user);
      const kid = kidOf(session.accessToken);
      const { active } = await t.app.get(KeyRotationService).revoke(kid);
      expect(active?.kid).toBeDefined();
      expect(await jwksKids(t)).not.toContain(kid);
      await t.http().get('/api/users/me').set(session.headers).expect(401);
      const fresh = await loginBearer(t, user);
      expect(kidOf(fresh.accessToken)).toBe(active!.kid);
      await t.http().get('/api/users/me').set(fresh.headers).expect(200);
      const [event] = await t.auditEvents({ type: 'key_revoked' });
      expect(event.metadata).toMatchObject({ kid, previousState: 'active', activeKid: active!.kid });
    });
  });

  describe('rotation on a schedule', () => {
    it('pre-publishes the next key a lead time ahead and rotates once it is due', async () => {
      const t = await createTestApp({ env: { KEY_ROTATION_INTERVAL: '30d', KEY_PREPUBLISH_LEAD: '2h' } });
      try {
        const rotation = t.app.get(KeyRotationService);
        expect(await rotation.rotateIfDue()).toBe('nothing');
        t.clock.advance(30 * 24 * 60 * MINUTE - 2 * 60 * MINUTE);
        expect(await rotation.rotateIfDue()).toBe('published');
        expect(await jwksKids(t)).toHaveLength(2);
        // Due, but the next key has not yet been public for the whole lead time.
        t.clock.advance(2 * 60 * MINUTE - MINUTE);
        expect(await rotation.rotateIfDue()).toBe('nothing');
        t.clock.advance(MINUTE);
        expect(await rotation.rotateIfDue()).toBe('rotated');
        expect(Object.values(await states(t)).sort()).toEqual(['active', 'retiring']);
        const [event] = await t.auditEvents({ type: 'key_rotated' });
        expect(event.metadata).toMatchObject({ trigger: 'scheduled', nextCreatedNow: false });
      } finally {
        await t.close();
      }
    });
  });

  describe('algorithms', () => {
    const database = tempDatabase();
    afterAll(() => database.remove());

    it('keeps verifying RS256-era tokens after rotating to ES256, and takes no alg from the token', async () => {
      const rsa = await createTestApp({ env: { DATABASE_URL: database.url, JWT_ALG: 'RS256' } });
      let rsaToken: string;
      let user: TestUser;
      try {
        user = await registerUser(rsa);
        const session = await loginBearer(rsa, user);
        rsaToken = session.accessToken;
        const { header, payload } = decodeJwt(rsaToken);
        expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });

        // RFC 8725 §3.1: the kid names an RS256 key, so PS256 (even validly signed by it), HS256 keyed
        // with its public key, and `none` are all refused.
        const { privateKey } = rsa.app.get(KeyStore).activeSigningKey();
        const publicPem = rsa.app
          .get(KeyStore)
          .verificationKey(header.kid as string)!
          .publicKey.export({ type: 'spki', format: 'pem' }) as string;
        const forged = [
          forgeJwt({ ...header, alg: 'PS256' }, payload, privateKey),
          forgeJwt({ ...header, alg: 'HS256' }, payload, publicPem),
          forgeJwt({ ...header, alg: 'none' }, payload),
        ];
        for (const token of forged) {
          await rsa
            .http()
            .get('/api/users/me')
            .set({ ...session.headers, Authorization: `Bearer ${token}` })
            .expect(401);
        }
        // No verified user: one row for the source and reason, counting the three.
        const rejections = await rsa.auditEvents({ type: 'access_token_rejected' });
        expect(rejections.map(({ reason, count }) => ({ reason, count }))).toEqual([{ reason: 'bad_alg', count: 3 }]);
      } finally {
        await rsa.close();
      }

      const ec = await createTestApp({ env: { DATABASE_URL: database.url, JWT_ALG: 'ES256' } });
      try {
        await ec.app.get(KeyRotationService).rotate('manual');
        const session = await loginBearer(ec, user);
        expect(decodeJwt(session.accessToken).header.alg).toBe('ES256');
        await ec.http().get('/api/users/me').set(session.headers).expect(200);
        await ec
          .http()
          .get('/api/users/me')
          .set({ ...session.headers, Authorization: `Bearer ${rsaToken}` })
          .expect(200);
        const jwks = await ec.http().get('/.well-known/jwks.json').expect(200);
        const algs = bodyOf<Jwks>(jwks).keys.map((k) => `${k.alg}/${k.kty}`);
        expect(algs.sort()).toEqual(['ES256/EC', 'RS256/RSA']);
      } finally {
        await ec.close();
      }
    });
  });

  describe('two instances sharing one database', () => {
    const database = tempDatabase();
    const env = { DATABASE_URL: database.url, KEY_REFRESH_INTERVAL: '1s' };
    let a: TestApp;
    let b: TestApp;
    let user: TestUser;

    beforeAll(async () => {
      a = await createTestApp({ env });
      b = await createTestApp({ env });
      user = await registerUser(a);
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      database.remove();
    });

    it('share the active key from start-up', async () => {
      expect(b.app.get(KeyStore).activeSigningKey().kid).toBe(a.app.get(KeyStore).activeSigningKey().kid);
      expect(await a.dataSource.getRepository(SigningKey).countBy({ state: 'active' })).toBe(1);
    });

    it('the other instance signs with a new key within one refresh interval and verifies both', async () => {
      // The poll is a real timer, registered under a name, with the configured period on every instance;
      // one tick of it (run) is what moves an instance to the new key.
      expect(b.app.get(SchedulerRegistry).getInterval(KeyRefreshJob.INTERVAL_NAME)).toBeDefined();
      expect(b.app.get(KeyRefreshJob).periodMs()).toBe(1000);

      const oldFromB = await loginBearer(b, user);
      const { active } = await a.app.get(KeyRotationService).rotate('manual');
      expect(kidOf(oldFromB.accessToken)).not.toBe(active.kid);
      await b.app.get(KeyRefreshJob).run();
      expect(b.app.get(KeyStore).activeSigningKey().kid).toBe(active.kid);
      const newFromA = await loginBearer(a, user);
      expect(kidOf(newFromA.accessToken)).toBe(active.kid);
      const newFromB = await loginBearer(b, user);
      expect(kidOf(newFromB.accessToken)).toBe(active.kid);
      for (const t of [a, b]) {
        await t.http().get('/api/users/me').set(oldFromB.headers).expect(200);
        await t.http().get('/api/users/me').set(newFromB.headers).expect(200);
        await t.http().get('/api/users/me').set(newFromA.headers).expect(200);
      }
    });

    it('a key revoked on one instance keeps verifying on the other until its next refresh, and not after', async () => {
      // Passport keeps one strategy per name per process: HTTP requests to either app are verified by the
      // last-created one (b). So b's refusal is checked over HTTP, a's on its KeyStore.
      const session = await loginBearer(b, user);
      const kid = kidOf(session.accessToken);
      await a.app.get(KeyRotationService).revoke(kid);
      expect(await a.app.get(KeyStore).findVerificationKey(kid)).toBeUndefined();
      expect(await jwksKids(a)).not.toContain(kid);
      // Until its next poll, b still publishes the kid and accepts its tokens: a kid it knows triggers no
      // reload. That is the documented bound, KEY_REFRESH_INTERVAL.
      await b.http().get('/api/users/me').set(session.headers).expect(200);
      expect(await jwksKids(b)).toContain(kid);
      await b.app.get(KeyRefreshJob).run();
      await b.http().get('/api/users/me').set(session.headers).expect(401);
      expect(await jwksKids(b)).not.toContain(kid);
      const fresh = await loginBearer(b, user);
      await b.http().get('/api/users/me').set(fresh.headers).expect(200);
    });
  });

  describe('an instance that cannot open the new active key', () => {
    const database = tempDatabase();
    const oldKey = randomBytes(32).toString('base64url');
    const newKey = randomBytes(32).toString('base64url');
    let current: TestApp;
    let stale: TestApp;

    beforeAll(async () => {
      // `current` runs with the new encryption key (and the old as previous); `stale` still has only the old.
      stale = await createTestApp({ env: { DATABASE_URL: database.url, KEY_ENCRYPTION_KEY: oldKey } });
      current = await createTestApp({
        env: { DATABASE_URL: database.url, KEY_ENCRYPTION_KEY: newKey, KEY_ENCRYPTION_KEY_PREVIOUS: oldKey },
      });
    });
    afterAll(async () => {
      await current.close();
      await stale.close();
      database.remove();
    });

    it('stops signing (login 503, health 503) but still learns the new kid and verifies its tokens', async () => {
      const user = await registerUser(current);
      const before = await loginBearer(stale, user);
      const { active } = await current.app.get(KeyRotationService).rotate('manual');
      await stale.app.get(KeyRefreshJob).run();

      const login = await stale
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password, transport: 'bearer' })
        .expect(503);
      expect(login.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'No signing key is available; try again later',
      });
      const health = await stale.http().get('/api/health').expect(503);
      expect(health.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Unhealthy: signing-key' });
      const healthy = await current.http().get('/api/health').expect(200);
      expect(bodyOf<Health>(healthy).details).toMatchObject({ 'signing-key': { status: 'up' } });

      const after = await loginBearer(current, user);
      expect(kidOf(after.accessToken)).toBe(active.kid);
      // The stale instance learnt the new kid although it cannot open its private key, and still knows the old.
      expect(stale.app.get(KeyStore).verificationKey(active.kid)).toBeDefined();
      expect(stale.app.get(KeyStore).verificationKey(kidOf(before.accessToken))).toBeDefined();
      expect(await jwksKids(stale)).toContain(active.kid);
    });
  });

  describe('two instances on PostgreSQL rotating at the same moment', () => {
    const LEAD = 2 * 60 * MINUTE;
    let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
    let a: TestApp;
    let b: TestApp;
    // One clock for both, as if they ran on synchronised hosts.
    const clock = new FakeClock();

    beforeAll(async () => {
      schema = await freshPostgresSchema();
      const env = { DATABASE_URL: schema.url, KEY_ROTATION_INTERVAL: '30d', KEY_PREPUBLISH_LEAD: '2h' };
      a = await createTestApp({ env, clock });
      b = await createTestApp({ env, clock });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await schema.drop();
    });

    it('end with exactly one active key, whoever wins', async () => {
      const keys = a.dataSource.getRepository(SigningKey);
      for (let round = 0; round < 5; round += 1) {
        const results = await Promise.allSettled([
          a.app.get(KeyRotationService).rotate('manual'),
          b.app.get(KeyRotationService).rotate('manual'),
        ]);
        expect(results.some((result) => result.status === 'fulfilled')).toBe(true);
        for (const result of results) {
          if (result.status === 'rejected')
            expect(String(result.reason)).toMatch(/RotationConflictError|unique|duplicate/i);
        }
        expect(await keys.countBy({ state: 'active' })).toBe(1);
        expect(await keys.countBy({ state: 'next' })).toBeLessThanOrEqual(1);
      }
    });

    it('rotate on schedule exactly once per due rotation, only to a key published for the whole lead', async () => {
      const keys = a.dataSource.getRepository(SigningKey);
      const rotations = [a, b].map((t) => t.app.get(KeyRotationService));
      // Leave no next key from the manual test: the schedule publishes its own.
      await keys.delete({ state: 'next' });
      for (let round = 0; round < 8; round += 1) {
        const active = await keys.findOneByOrFail({ state: 'active' });
        clock.set(new Date(active.activatedAt!.getTime() + 30 * 24 * 60 * MINUTE - LEAD));
        expect(await rotations[0].rotateIfDue()).toBe('published');
        const next = await keys.findOneByOrFail({ state: 'next' });
        clock.advance(LEAD);
        const rowsBefore = await keys.count();

        let results: string[];
        if (round % 3 === 0) {
          // The interleaving a plain race produces only now and then, forced: both find the same key due,
          // a's rotation waits until b has found it due too, and b's rotation runs after a's has committed.
          const [rotateA, rotateB] = rotations.map(
            (rotation) => rotation.rotate.bind(rotation) as (...args: unknown[]) => Promise<RotationResult>,
          );
          let bFoundItDue!: () => void;
          const bIsDue = new Promise<void>((resolve) => (bFoundItDue = resolve));
          const spyA = jest.spyOn(rotations[0], 'rotate').mockImplementationOnce(async (...args: unknown[]) => {
            await bIsDue;
            return rotateA(...args);
          });
          const aDone = rotations[0].rotateIfDue();
          const spyB = jest.spyOn(rotations[1], 'rotate').mockImplementationOnce(async (...args: unknown[]) => {
            bFoundItDue();
            await aDone.catch(() => undefined);
            return rotateB(...args);
          });
          try {
            results = await Promise.all([aDone, rotations[1].rotateIfDue()]);
            expect(spyA).toHaveBeenCalledTimes(1);
            expect(spyB).toHaveBeenCalledTimes(1);
          } finally {
            spyA.mockRestore();
            spyB.mockRestore();
          }
        } else if (round % 3 === 1) {
          // The other interleaving, forced: b reads the key states, then a rotates and commits before b acts
          // on what it read. b must act on one consistent snapshot (the old active key beside the due next
          // key: a conflict, nothing), never on the old active key beside no next key (a needless publish).
          const repository = b.app.get<Repository<SigningKey>>(getRepositoryToken(SigningKey));
          let aResult: Promise<string> | undefined;
          const readThenLetARotate =
            <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
            async (...args: A): Promise<R> => {
              const rows = await read(...args);
              aResult ??= rotations[0].rotateIfDue();
              await aResult;
              return rows;
            };
          const findBy = repository.findBy.bind(repository);
          const findOneBy = repository.findOneBy.bind(repository);
          const spies = [
            jest.spyOn(repository, 'findBy').mockImplementation(readThenLetARotate(findBy)),
            jest.spyOn(repository, 'findOneBy').mockImplementation(readThenLetARotate(findOneBy)),
          ];
          try {
            const bResult = await rotations[1].rotateIfDue();
            expect(aResult).toBeDefined();
            results = [await aResult!, bResult];
          } finally {
            for (const spy of spies) spy.mockRestore();
          }
        } else {
          results = await Promise.all(rotations.map((rotation) => rotation.rotateIfDue()));
        }

        expect(results.sort()).toEqual(['nothing', 'rotated']);
        // No key was created during the race; the one that signs now is the one published a lead ago.
        expect(await keys.count()).toBe(rowsBefore);
        const nowActive = await keys.findOneByOrFail({ state: 'active' });
        expect(nowActive.kid).toBe(next.kid);
        expect(nowActive.activatedAt!.getTime() - nowActive.createdAt.getTime()).toBeGreaterThanOrEqual(LEAD);
        expect(await keys.findOneByOrFail({ kid: active.kid })).toMatchObject({ state: 'retiring' });
        expect(await keys.countBy({ state: 'next' })).toBe(0);
      }
    });
  });
});
