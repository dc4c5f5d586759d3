import { FakeClock } from '../../test/helpers/fake-clock';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { Clock } from '../common/clock/clock';
import { SigningKey } from '../keys/entities/signing-key.entity';
import { TotpFactor } from '../mfa/entities/totp-factor.entity';
import { TotpSecrets } from '../mfa/totp-secrets';
import { User } from '../users/entities/user.entity';
import { CliModule } from './cli.module';
import { CliOutput } from './cli-output';
import { keysList } from './keys-list';
import { KeysListCommand, KeysRevokeCommand, KeysRewrapCommand, KeysRotateCommand } from './keys.command';
import { secretsEnvFile, writeSecretsFile } from './secrets.command';
import { securityCheck } from './security-check.command';
import { UserDemoteCommand, UserPromoteCommand } from './user-role.command';

class CapturedOutput extends CliOutput {
  lines: string[] = [];
  override line(text: string): void {
    this.lines.push(text);
  }
  override error(text: string): void {
    this.lines.push(`error: ${text}`);
  }
}

const secret = () => randomBytes(32).toString('base64url');
const HOUR = 3600 * 1000;

/** A CLI application context as `npm run cli` builds it, on the given environment. */
async function cliContext(env: Record<string, string | undefined>, clock = new FakeClock()) {
  const saved = { ...process.env };
  const all = { NODE_ENV: 'test', LOG_LEVEL: 'silent', KEY_ENCRYPTION_KEY_PREVIOUS: undefined, ...env };
  for (const [name, value] of Object.entries(all)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const output = new CapturedOutput();
  try {
    const moduleRef = await Test.createTestingModule({ imports: [CliModule] })
      .overrideProvider(CliOutput)
      .useValue(output)
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    moduleRef.useLogger(false);
    const context = await moduleRef.init();
    return { context, output, clock, dataSource: context.get(DataSource) };
  } finally {
    process.env = saved;
  }
}

describe('CLI commands (real services, in-memory database)', () => {
  let context: INestApplicationContext;
  let output: CapturedOutput;
  let clock: FakeClock;
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ context, output, clock, dataSource } = await cliContext({
      DATABASE_URL: 'sqlite::memory:',
      FINGERPRINT_SECRET: secret(),
      KEY_ENCRYPTION_KEY: secret(),
      CSRF_SECRET: secret(),
    }));
  });
  afterAll(async () => {
    await context.close();
    process.exitCode = undefined;
  });
  beforeEach(() => {
    output.lines = [];
    process.exitCode = undefined;
  });

  const audit = (type: string) => dataSource.getRepository(AuditEvent).find({ where: { type } });
  const keys = () => dataSource.getRepository(SigningKey);

  it('keys:list on a database Warden never started on prints "no keys" and creates nothing', async () => {
    await context.get(KeysListCommand).run();
    expect(output.lines).toEqual(['no keys']);
    expect(await dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([]);
  });

  it('keys:rotate publishes the next key, then refuses to sign with it before KEY_PREPUBLISH_LEAD has passed', async () => {
    await context.get(KeysRotateCommand).run([]);
    const next = await keys().findOneByOrFail({ state: 'next' });
    const safeAt = new Date(next.createdAt.getTime() + HOUR).toISOString();
    expect(output.lines).toEqual([
      `Published next key ${next.kid} (ES256)`,
      expect.stringMatching(
        new RegExp(`^error: Not rotating: next key ${next.kid} is safe to sign with from ${safeAt}`),
      ),
    ]);
    expect(process.exitCode).toBe(1);

    // Seconds later (keys:rotate --prepare, then keys:rotate): still refused, nothing changed.
    clock.advance(5000);
    output.lines = [];
    await context.get(KeysRotateCommand).run([], { prepare: true });
    await context.get(KeysRotateCommand).run([]);
    expect(output.lines[0]).toBe(`Already published next key ${next.kid} (ES256)`);
    expect(output.lines[1]).toMatch(/^error: Not rotating/);
    expect(await keys().countBy({ state: 'active' })).toBe(0);

    clock.set(new Date(next.createdAt.getTime() + HOUR));
    process.exitCode = undefined;
    output.lines = [];
    await context.get(KeysRotateCommand).run([]);
    expect(output.lines).toEqual([`Active key: ${next.kid} (ES256)`]);
    expect(process.exitCode).toBeUndefined();
  });

  it('keys:rotate --force rotates at once; the old key retires and the rotation is audited', async () => {
    const before = await keys().findOneByOrFail({ state: 'active' });
    await context.get(KeysRotateCommand).run([], { prepare: true });
    const next = await keys().findOneByOrFail({ state: 'next' });
    await context.get(KeysRotateCommand).run([], { force: true });
    expect(output.lines[1]).toBe(`Active key: ${next.kid} (ES256)`);
    expect(output.lines[2]).toMatch(new RegExp(`^Retiring: +${before.kid} until `));
    const events = await audit('key_rotated');
    expect(events.at(-1)?.metadata).toMatchObject({ trigger: 'manual', activeKid: next.kid, previousKid: before.kid });
  });

  it('keys:list shows kid, alg, state and dates, never private material', async () => {
    await context.get(KeysListCommand).run();
    expect(output.lines[0]).toBe('kid\talg\tstate\tcreated\tactivated\tdeactivated\tretire at');
    expect(output.lines.slice(1).map((line) => line.split('\t')[2])).toEqual(['retiring', 'active']);
    const sealed = (await keys().find()).map((row) => row.encryptedPrivateKey);
    expect(sealed).toHaveLength(2);
    for (const value of sealed) expect(output.lines.join('\n')).not.toContain(value.slice(3, 20));
  });

  it('keys:revoke retires the active key at once, activates a replacement and audits key_revoked', async () => {
    const active = await keys().findOneByOrFail({ state: 'active' });
    await context.get(KeysRevokeCommand).run([active.kid]);
    const replacement = await keys().findOneByOrFail({ state: 'active' });
    expect(await keys().findOneByOrFail({ kid: active.kid })).toMatchObject({
      state: 'retired',
      encryptedPrivateKey: '',
    });
    expect(output.lines).toEqual([
      `Revoked ${active.kid} (was active).`,
      `Active key: ${replacement.kid} (ES256)`,
      expect.stringMatching(
        /^Running servers keep verifying it until their next key poll, at most KEY_REFRESH_INTERVAL/,
      ),
    ]);
    const [event] = await audit('key_revoked');
    expect(event.metadata).toMatchObject({ kid: active.kid, previousState: 'active', activeKid: replacement.kid });

    await expect(context.get(KeysRevokeCommand).run([active.kid])).rejects.toThrow(/No live key with kid/);
  });

  it('keys:rewrap reports how many keys needed the previous encryption key, and seals TOTP secrets', async () => {
    const users = dataSource.getRepository(User);
    const user = await users.save(
      users.create({ id: randomUUID(), email: 'totp@example.test', passwordHash: 'x', roles: ['user'] }),
    );
    // As a build before sealing stored it: base64url in the clear.
    const inClear = randomBytes(20).toString('base64url');
    const factors = dataSource.getRepository(TotpFactor);
    await factors.insert({
      userId: user.id,
      secret: inClear,
      confirmedAt: null,
      lastUsedStep: null,
      createdAt: new Date(),
    });

    await context.get(KeysRewrapCommand).run();
    expect(output.lines).toEqual([
      '0 of 2 live key(s) opened only with KEY_ENCRYPTION_KEY_PREVIOUS; re-sealed 0 under KEY_ENCRYPTION_KEY.',
      '1 TOTP secret(s) not under KEY_ENCRYPTION_KEY; re-sealed 1.',
    ]);
    const { secret } = await factors.findOneByOrFail({ userId: user.id });
    expect(secret).toMatch(/^v2\./);
    expect(secret).not.toContain(inClear);

    await context.get(KeysRewrapCommand).run();
    expect(output.lines[3]).toBe('0 TOTP secret(s) not under KEY_ENCRYPTION_KEY; re-sealed 0.');
    await users.delete({ id: user.id });
  });

  it('user:promote grants admin and audits; user:demote removes it, ends every session and audits', async () => {
    const users = dataSource.getRepository(User);
    const user = await users.save(
      users.create({ id: randomUUID(), email: 'ops@example.test', passwordHash: 'x', roles: ['user'] }),
    );
    await context.get(UserPromoteCommand).run(['OPS@example.test']);
    expect((await users.findOneByOrFail({ id: user.id })).roles).toEqual(['user', 'admin']);
    await context.get(UserPromoteCommand).run(['ops@example.test']);
    expect(output.lines[1]).toBe('ops@example.test is already an admin; nothing changed');

    await context.get(UserDemoteCommand).run(['ops@example.test']);
    expect((await users.findOneByOrFail({ id: user.id })).roles).toEqual(['user']);
    expect(output.lines[2]).toBe(
      'ops@example.test: roles user,admin → user; 0 session(s) ended, they must log in again',
    );
    const events = await audit('role_changed');
    expect(events.map((event) => [event.userId, event.metadata])).toEqual([
      [user.id, expect.objectContaining({ action: 'promote', before: ['user'], after: ['user', 'admin'] })],
      [user.id, expect.objectContaining({ action: 'demote', before: ['user', 'admin'], after: ['user'] })],
    ]);
    expect(process.exitCode).toBeUndefined();
  });

  it('user:promote fails for an unknown email', async () => {
    await context.get(UserPromoteCommand).run(['nobody@example.test']);
    expect(output.lines).toEqual(['error: No user with email nobody@example.test']);
    expect(process.exitCode).toBe(1);
  });

  it('secrets:generate prints a fresh, strong value for every secret setting, and the webhook secret commented', () => {
    const lines = secretsEnvFile().trim().split('\n');
    const settings = lines.filter((line) => !line.startsWith('#'));
    expect(settings.map((line) => line.split('=')[0])).toEqual([
      'FINGERPRINT_SECRET',
      'KEY_ENCRYPTION_KEY',
      'CSRF_SECRET',
    ]);
    for (const line of settings) expect(Buffer.from(line.split('=')[1], 'base64url')).toHaveLength(32);
    expect(lines).toContainEqual(expect.stringMatching(/^# Needed only with ALERT_WEBHOOK_URL/));
    expect(lines.at(-1)).toMatch(/^# ALERT_WEBHOOK_SECRET=[A-Za-z0-9_-]{43}$/);
    expect(secretsEnvFile()).not.toBe(secretsEnvFile());
    expect(lines).toContainEqual(expect.stringMatching(/never from \.env/));
  });

  it('secrets:generate --out writes a new owner-only file and never replaces an existing one', () => {
    const directory = mkdtempSync(join(tmpdir(), 'warden-secrets-'));
    try {
      const file = join(directory, 'warden.env');
      expect(writeSecretsFile(file)).toMatch(
        /^Wrote FINGERPRINT_SECRET, KEY_ENCRYPTION_KEY, CSRF_SECRET to .*not from \.env/,
      );
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const first = readFileSync(file, 'utf8');
      expect(first).toMatch(/^KEY_ENCRYPTION_KEY=[A-Za-z0-9_-]{43}$/m);
      expect(() => writeSecretsFile(file)).toThrow(
        `${file} already exists: secrets:generate never replaces secrets; name a new file`,
      );
      expect(readFileSync(file, 'utf8')).toBe(first);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('security:check', () => {
  const secrets = () => ({ FINGERPRINT_SECRET: secret(), KEY_ENCRYPTION_KEY: secret(), CSRF_SECRET: secret() });
  function check(env: NodeJS.ProcessEnv): { lines: string[]; exitCode: number } {
    const lines: string[] = [];
    const exitCode = securityCheck((text) => lines.push(text), env);
    return { lines, exitCode };
  }

  it('prints one line per rule; outside production, what to fix before going live is WARN', () => {
    const { lines, exitCode } = check({ NODE_ENV: 'development', ...secrets() });
    expect(lines.some((line) => /^WARN +HTTPS +plain HTTP: set TLS_CERT_FILE/.test(line))).toBe(true);
    expect(lines.some((line) => /^OK +COOKIE_SECURE/.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith('FAIL'))).toBe(false);
    expect(exitCode).toBe(0);
  });

  it('turns each configuration problem into a FAIL line naming its setting, and exits 1', () => {
    const { lines, exitCode } = check({
      NODE_ENV: 'production',
      FINGERPRINT_SECRET: 'ThisIsMyVerySecretProductionKeyForWardenApp',
      CSRF_SECRET: 'changeme',
      TRUST_PROXY: '0.0.0.0/1,128.0.0.0/1',
      TLS_TERMINATED_UPSTREAM: 'true',
      SMTP_URL: 'smtps://smtp.example.test',
      PUBLIC_URL: 'https://warden.example.test',
    });
    expect(lines).toEqual([
      expect.stringMatching(/^FAIL {2}KEY_ENCRYPTION_KEY +is required in production/),
      expect.stringMatching(/^FAIL {2}FINGERPRINT_SECRET +looks like typed words/),
      expect.stringMatching(/^FAIL {2}CSRF_SECRET +(holds|is not)/),
      expect.stringMatching(/^FAIL {2}TRUST_PROXY +entry 0\.0\.0\.0\/1 spans too many addresses/),
      expect.stringMatching(/^FAIL {2}TRUST_PROXY +entry 128\.0\.0\.0\/1 spans too many addresses/),
      '5 rule(s) failed.',
    ]);
    expect(exitCode).toBe(1);
  });

  it('reports missing development secrets without generating them (it writes nothing)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'warden-check-'));
    const file = join(directory, 'var', 'dev-secrets.json');
    try {
      const lines: string[] = [];
      expect(securityCheck((text) => lines.push(text), { NODE_ENV: 'development' }, file)).toBe(0);
      for (const name of ['FINGERPRINT_SECRET', 'KEY_ENCRYPTION_KEY', 'CSRF_SECRET']) {
        expect(lines).toContainEqual(
          expect.stringMatching(new RegExp(`^WARN +${name} +not set; the server will generate`)),
        );
      }
      expect(existsSync(join(directory, 'var'))).toBe(false);

      // Values a development server already stored are reported as such, and the file is left as it was.
      const stored = JSON.stringify({ CSRF_SECRET: `devonly${secret()}` });
      writeFileSync(join(directory, 'dev-secrets.json'), stored);
      const again: string[] = [];
      securityCheck((text) => again.push(text), { NODE_ENV: 'development' }, join(directory, 'dev-secrets.json'));
      expect(again).toContainEqual(expect.stringMatching(/^WARN +CSRF_SECRET +development value from/));
      expect(again).toContainEqual(expect.stringMatching(/^WARN +KEY_ENCRYPTION_KEY +not set/));
      expect(readFileSync(join(directory, 'dev-secrets.json'), 'utf8')).toBe(stored);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('warns when TRUST_PROXY names a public range, and not for private ones', () => {
    const publicRange = check({ NODE_ENV: 'development', ...secrets(), TRUST_PROXY: '10.0.0.0/8, 203.0.113.0/24' });
    expect(publicRange.lines).toContainEqual(
      expect.stringMatching(/^WARN +TRUST_PROXY +203\.0\.113\.0\/24 may hold public/),
    );
    const privateOnly = check({
      NODE_ENV: 'development',
      ...secrets(),
      TRUST_PROXY: 'loopback, 10.1.0.0/16, 192.168.1.1, fd12:3456::/48',
    });
    expect(privateOnly.lines).toContainEqual(expect.stringMatching(/^OK +TRUST_PROXY +X-Forwarded-For honoured only/));
  });
});

describe('read-only commands on a database sealed under a previous encryption key', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-cli-'));
  const database = `sqlite:${join(directory, 'warden.sqlite')}`;
  const oldKey = secret();
  const newKey = secret();
  const base = { DATABASE_URL: database, FINGERPRINT_SECRET: secret(), CSRF_SECRET: secret() };
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('keys:list changes nothing; keys:rewrap re-seals and says what to do before destroying the old key', async () => {
    const first = await cliContext({ ...base, KEY_ENCRYPTION_KEY: oldKey });
    await first.context.get(KeysRotateCommand).run([], { force: true });
    await first.context.get(KeysRotateCommand).run([], { prepare: true });
    const sealed = async (dataSource: DataSource) =>
      (await dataSource.getRepository(SigningKey).find()).map((row) => row.encryptedPrivateKey).sort();
    const before = await sealed(first.dataSource);
    // And a user's TOTP secret, sealed under the old key too.
    const userId = randomUUID();
    await first.dataSource
      .getRepository(User)
      .insert({ id: userId, email: 'totp@example.test', passwordHash: 'x', roles: ['user'] });
    const totpSecret = randomBytes(20);
    const factor = {
      userId,
      secret: first.context.get(TotpSecrets).seal(totpSecret, userId),
      confirmedAt: new Date(),
      lastUsedStep: null,
      createdAt: new Date(),
    };
    await first.dataSource.getRepository(TotpFactor).insert(factor);
    await first.context.close();

    const changing = await cliContext({ ...base, KEY_ENCRYPTION_KEY: newKey, KEY_ENCRYPTION_KEY_PREVIOUS: oldKey });
    try {
      await changing.context.get(KeysListCommand).run();
      expect(changing.output.lines.slice(1).map((line) => line.split('\t')[2])).toEqual(['active', 'next']);
      expect(await sealed(changing.dataSource)).toEqual(before);

      changing.output.lines = [];
      await changing.context.get(KeysRewrapCommand).run();
      expect(changing.output.lines).toEqual([
        '2 of 2 live key(s) opened only with KEY_ENCRYPTION_KEY_PREVIOUS; re-sealed 2 under KEY_ENCRYPTION_KEY.',
        '1 TOTP secret(s) not under KEY_ENCRYPTION_KEY; re-sealed 1.',
        expect.stringMatching(
          /^Keep KEY_ENCRYPTION_KEY_PREVIOUS and the old key: restart every instance .* until it reports 0/,
        ),
      ]);
      changing.output.lines = [];
      await changing.context.get(KeysRewrapCommand).run();
      expect(changing.output.lines).toEqual([
        '0 of 2 live key(s) opened only with KEY_ENCRYPTION_KEY_PREVIOUS; re-sealed 0 under KEY_ENCRYPTION_KEY.',
        '0 TOTP secret(s) not under KEY_ENCRYPTION_KEY; re-sealed 0.',
        expect.stringMatching(/^Nothing needs KEY_ENCRYPTION_KEY_PREVIOUS now\. Once every instance runs with the new/),
      ]);
    } finally {
      await changing.context.close();
    }
    // The old key is no longer needed for the TOTP secret either.
    const done = await cliContext({ ...base, KEY_ENCRYPTION_KEY: newKey });
    try {
      const row = await done.dataSource.getRepository(TotpFactor).findOneByOrFail({ userId });
      expect(await done.context.get(TotpSecrets).open(row)).toEqual(totpSecret);
    } finally {
      await done.context.close();
    }
  });
});

describe('keys:list as the CLI runs it (before any module: no secrets, no migrations)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'warden-list-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  // Production with no secret at all: keys:list needs none, so it neither refuses nor generates.
  const env = (file: string) => ({ NODE_ENV: 'production', DATABASE_URL: `sqlite:${file}` });

  it('a missing SQLite file is an error naming it (exit 1), and nothing is created', async () => {
    const file = join(directory, 'var', 'warden.sqlite');
    const lines: string[] = [];
    const errors: string[] = [];
    expect(
      await keysList(
        (text) => lines.push(text),
        (text) => errors.push(text),
        env(file),
      ),
    ).toBe(1);
    expect(errors).toEqual([
      expect.stringMatching(`^no database at ${file}; start Warden once or run .*migration:run`),
    ]);
    expect(lines).toEqual([]);
    expect(existsSync(join(directory, 'var'))).toBe(false);
  });

  it('lists the keys of an existing database and leaves its file byte for byte as it was', async () => {
    const file = join(directory, 'warden.sqlite');
    const setup = await cliContext({
      DATABASE_URL: `sqlite:${file}`,
      FINGERPRINT_SECRET: secret(),
      KEY_ENCRYPTION_KEY: secret(),
      CSRF_SECRET: secret(),
    });
    await setup.context.get(KeysRotateCommand).run([], { force: true });
    await setup.context.close();
    const before = readFileSync(file);

    const lines: string[] = [];
    expect(
      await keysList(
        (text) => lines.push(text),
        () => undefined,
        env(file),
      ),
    ).toBe(0);
    expect(lines[0]).toBe('kid\talg\tstate\tcreated\tactivated\tdeactivated\tretire at');
    expect(lines.slice(1).map((line) => line.split('\t')[2])).toEqual(['active']);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});
