import { LazyModuleLoader } from '@nestjs/core';
import { AuditService } from '../src/audit/audit.service';
import { CliDatabase } from '../src/cli/cli-database';
import { CliOutput } from '../src/cli/cli-output';
import { UserDemoteCommand } from '../src/cli/user-role.command';
import { UsersService } from '../src/users/users.service';
import { adminSession } from './factories/users';
import { createTestApp, TestApp } from './helpers/test-app';

describe('user:demote', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('ends every session, so an admin token minted in the same second loses admin rights', async () => {
    // The FakeClock does not move: the token's iat is the very second of the demotion.
    const { user, session } = await adminSession(t);
    await t.http().get('/api/admin/audit').set(session.headers).expect(200);

    const output = { line: () => undefined, error: () => undefined } as unknown as CliOutput;
    const demote = new UserDemoteCommand(
      t.app.get(UsersService),
      t.app.get(LazyModuleLoader),
      t.app.get(AuditService),
      new CliDatabase(t.dataSource),
      output,
    );
    await demote.run([user.email]);

    await t.http().get('/api/admin/audit').set(session.headers).expect(401);
    await t.http().get('/api/users/me').set(session.headers).expect(401);
    const [event] = await t.auditEvents({ type: 'role_changed', userId: user.id, reason: 'demote' });
    expect(event.metadata).toMatchObject({ action: 'demote', sessionsEnded: 1 });
  });
});
