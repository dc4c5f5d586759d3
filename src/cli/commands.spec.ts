import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { SigningKey } from '../keys/entities/signing-key.entity';
import { Revocation } from '../tokens/entities/revocation.entity';
import { User } from '../users/entities/user.entity';
import { CliModule } from './cli.module';
import { CliOutput } from './cli-output';
import { KeysListCommand, KeysRewrapCommand, KeysRotateCommand } from './keys.command';
import { secretsEnvFile } from './secrets.command';
import { SecurityCheckCommand } from './security-check.command';
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

describe('CLI commands (real services, in-memory database)', () => {
  const saved = { ...process.env };
  let context: INestApplicationContext;
  let output: CapturedOutput;
  let dataSource: DataSource;

  beforeAll(async () => {
    Object.assign(process.env, {
      NODE_ENV: 'test',
      DATABASE_URL: 'sqlite::memory:',
      FINGERPRINT_SECRET: randomBytes(32).toString('base64url'),
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      CSRF_SECRET: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'silent',
    });
    output = new CapturedOutput();
    const moduleRef = await Test.createTestingModule({ imports: [CliModule] })
      .overrideProvider(CliOutput)
      .useValue(output)
      .compile();
    moduleRef.useLogger(false);
    context = await moduleRef.init();
    dataSource = context.get(DataSource);
  });
  afterAll(async () => {
    await context.close();
    process.env = saved;
  });
  beforeEach(() => {
    output.lines = [];
    process.exitCode = undefined;
  });
  afterAll(() => {
    process.exitCode = undefined;
  });

  const audit = (type: string) => dataSource.getRepository(AuditEvent).find({ where: { type } });

  it('keys:rotate --prepare publishes the next key, keys:rotate switches to it and audits', async () => {
    const before = await dataSource.getRepository(SigningKey).findOneByOrFail({ state: 'active' });
    await context.get(KeysRotateCommand).run([], { prepare: true });
    const next = await dataSource.getRepository(SigningKey).findOneByOrFail({ state: 'next' });
    expect(output.lines).toEqual([`Published next key ${next.kid} (ES256)`]);

    await context.get(KeysRotateCommand).run([]);
    expect(output.lines[1]).toBe(`Active key: ${next.kid} (ES256)`);
    expect(output.lines[2]).toMatch(new RegExp(`^Retiring: +${before.kid} until `));
    const [event] = await audit('key_rotated');
    expect(event.metadata).toMatchObject({ trigger: 'manual', activeKid: next.kid, previousKid: before.kid });
  });

  it('keys:list shows kid, alg, state and dates, never private material', async () => {
    await context.get(KeysListCommand).run();
    expect(output.lines[0]).toBe('kid\talg\tstate\tcreated\tactivated\tdeactivated\tretire at');
    expect(output.lines.slice(1).map((line) => line.split('\t')[2])).toEqual(['retiring', 'active']);
    const sealed = (await dataSource.getRepository(SigningKey).find()).map((row) => row.encryptedPrivateKey);
    for (const value of sealed) expect(output.lines.join('\n')).not.toContain(value.slice(3, 20));
  });

  it('keys:rewrap reports every live key sealed under the current key', async () => {
    await context.get(KeysRewrapCommand).run();
    expect(output.lines[0]).toBe('Re-sealed 0 key(s); all 2 live key(s) now open with KEY_ENCRYPTION_KEY.');
  });

  it('user:promote and user:demote change the admin role, revoke live tokens and audit', async () => {
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
    const events = await audit('role_changed');
    expect(events.map((event) => [event.userId, event.metadata])).toEqual([
      [user.id, expect.objectContaining({ action: 'promote', before: ['user'], after: ['user', 'admin'] })],
      [user.id, expect.objectContaining({ action: 'demote', before: ['user', 'admin'], after: ['user'] })],
    ]);
    expect(await dataSource.getRepository(Revocation).count()).toBeGreaterThan(0);
    expect(process.exitCode).toBeUndefined();
  });

  it('user:promote fails for an unknown email', async () => {
    await context.get(UserPromoteCommand).run(['nobody@example.test']);
    expect(output.lines).toEqual(['error: No user with email nobody@example.test']);
    expect(process.exitCode).toBe(1);
  });

  it('security:check prints one line per rule; outside production, what to fix before going live is WARN', async () => {
    await context.get(SecurityCheckCommand).run();
    expect(output.lines.some((line) => /^WARN +HTTPS +plain HTTP: set TLS_CERT_FILE/.test(line))).toBe(true);
    expect(output.lines.some((line) => /^OK +COOKIE_SECURE/.test(line))).toBe(true);
    expect(output.lines.some((line) => line.startsWith('FAIL'))).toBe(false);
    expect(process.exitCode).toBeUndefined();
  });

  it('secrets:generate prints a fresh, strong value for every secret setting', () => {
    const lines = secretsEnvFile().trim().split('\n').slice(1);
    expect(lines.map((line) => line.split('=')[0])).toEqual([
      'FINGERPRINT_SECRET',
      'KEY_ENCRYPTION_KEY',
      'CSRF_SECRET',
    ]);
    for (const line of lines) expect(Buffer.from(line.split('=')[1], 'base64url')).toHaveLength(32);
    expect(secretsEnvFile()).not.toBe(secretsEnvFile());
  });
});
