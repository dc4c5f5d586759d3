import { Injectable } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import type { Role } from '../common/decorators/roles.decorator';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from '../config/environment';
import { RevocationStore } from '../tokens/revocation.store';
import { UsersService } from '../users/users.service';
import { CliOutput } from './cli-output';

/** Grants or removes `admin`, audits it, and makes live access tokens (which carry roles) re-issue. */
@Injectable()
abstract class RoleCommand extends CommandRunner {
  protected abstract readonly action: 'promote' | 'demote';

  constructor(
    private readonly users: UsersService,
    private readonly revocations: RevocationStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run([email]: string[]): Promise<void> {
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
    // Access tokens carry roles: without this, a demoted admin keeps admin rights until the token expires.
    const now = this.clock.nowSeconds();
    await this.revocations.revokeUserTokens(user.id, now, new Date((now + MAX_ACCESS_TOKEN_TTL_SECONDS) * 1000));
    this.audit.record({
      type: 'role_changed',
      success: true,
      userId: user.id,
      reason: this.action,
      metadata: { action: this.action, role: 'admin', before, after, via: 'cli' },
    });
    await this.audit.flush();
    this.output.line(`${email}: roles ${before.join(',')} → ${after.join(',')}; their access tokens must be renewed`);
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
