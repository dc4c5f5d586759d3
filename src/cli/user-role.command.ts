import { Injectable } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { Command, CommandRunner } from 'nest-commander';
import { AuditService } from '../audit/audit.service';
import type { Role } from '../access/role';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { CliDatabase } from './cli-database';
import { CliOutput } from './cli-output';

/**
 * Grants or removes `admin` and audits it. Demotion ends every session of the user: access tokens carry
 * roles, and a cut-off on `iat` (whole seconds) would spare a token minted in the same second. Promotion
 * ends nothing: the new role arrives with the next refresh or login.
 */
@Injectable()
abstract class RoleCommand extends CommandRunner {
  protected abstract readonly action: 'promote' | 'demote';

  constructor(
    private readonly users: UsersService,
    private readonly modules: LazyModuleLoader,
    private readonly audit: AuditService,
    private readonly database: CliDatabase,
    private readonly output: CliOutput,
  ) {
    super();
  }

  /**
   * Loaded only once the schema is migrated: the sessions stack (via the revocation store) reads its
   * tables at start-up, which would fail on a fresh database for read-only commands that never touch it.
   */
  private async sessions(): Promise<SessionsService> {
    return (await this.modules.load(() => SessionsModule)).get(SessionsService);
  }

  async run([email]: string[]): Promise<void> {
    await this.database.migrate();
    const user = email ? await this.users.findByEmail(email.trim().toLowerCase()) : null;
    if (!user) {
      this.output.error(`No user with email ${email ?? '(none given)'}`);
      process.exitCode = 1;
      return;
    }
    const before = user.roles;
    const after: Role[] =
      this.action === 'promote' ? [...new Set<Role>([...before, 'admin'])] : before.filter((role) => role !== 'admin');
    if (after.length === before.length) {
      this.output.line(`${email} ${this.action === 'promote' ? 'is already' : 'is not'} an admin; nothing changed`);
      return;
    }
    await this.users.setRoles(user.id, after);
    const ended =
      this.action === 'demote' ? await (await this.sessions()).revokeAllForUser(user.id, 'role_changed') : 0;
    this.audit.record({
      type: 'role_changed',
      success: true,
      userId: user.id,
      reason: this.action,
      metadata: { action: this.action, role: 'admin', before, after, via: 'cli', sessionsEnded: ended },
    });
    await this.audit.flush();
    this.output.line(
      this.action === 'demote'
        ? `${email}: roles ${before.join(',')} → ${after.join(',')}; ${ended} session(s) ended, they must log in again`
        : `${email}: roles ${before.join(',')} → ${after.join(',')}; the role applies from their next refresh or login`,
    );
  }
}

@Command({ name: 'user:promote', arguments: '<email>', description: 'Grant the admin role' })
export class UserPromoteCommand extends RoleCommand {
  protected readonly action = 'promote';
}

@Command({ name: 'user:demote', arguments: '<email>', description: 'Remove the admin role' })
export class UserDemoteCommand extends RoleCommand {
  protected readonly action = 'demote';
}
