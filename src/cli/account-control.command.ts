import { Injectable } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { Command, CommandRunner, Option } from 'nest-commander';
import { AccountControlModule } from '../admin/account-control.module';
import { AccountControlService } from '../admin/account-control.service';
import { AuditService } from '../audit/audit.service';
import { UsersService } from '../users/users.service';
import { CliDatabase } from './cli-database';
import { CliOutput } from './cli-output';

/** Shared by the commands below: the account services load only once the schema is migrated. */
@Injectable()
abstract class AccountControlCommand extends CommandRunner {
  constructor(
    protected readonly users: UsersService,
    private readonly modules: LazyModuleLoader,
    private readonly audit: AuditService,
    private readonly database: CliDatabase,
    protected readonly output: CliOutput,
  ) {
    super();
  }

  protected abstract act(accounts: AccountControlService, args: string[], options: { yes?: boolean }): Promise<void>;

  async run(args: string[], options: { yes?: boolean } = {}): Promise<void> {
    await this.database.migrate();
    const accounts = (await this.modules.load(() => AccountControlModule)).get(AccountControlService);
    await this.act(accounts, args, options);
    await this.audit.flush();
  }

  protected async userId(email: string | undefined): Promise<string | null> {
    const user = email ? await this.users.findByEmail(email.trim().toLowerCase()) : null;
    if (!user) {
      this.output.error(`No user with email ${email ?? '(none given)'}`);
      process.exitCode = 1;
    }
    return user?.id ?? null;
  }
}

@Command({
  name: 'sessions:revoke-all',
  description: 'End every session of every user (audited); everyone must log in again',
})
export class SessionsRevokeAllCommand extends AccountControlCommand {
  protected async act(accounts: AccountControlService, _args: string[], { yes }: { yes?: boolean }): Promise<void> {
    // Logs everyone out, operators included: never by a slip of the keyboard.
    if (!yes) {
      this.output.error('This ends every session of every user. Run it again with --yes to go ahead.');
      process.exitCode = 1;
      return;
    }
    const ended = await accounts.endEverySession({ via: 'cli' });
    this.output.line(`${ended} session(s) ended; every user must log in again`);
  }

  @Option({ flags: '--yes', description: 'confirm: end every session of every user' })
  parseYes(): boolean {
    return true;
  }
}

@Command({
  name: 'user:disable',
  arguments: '<email>',
  description: 'End the account’s sessions and refuse its logins',
})
export class UserDisableCommand extends AccountControlCommand {
  protected async act(accounts: AccountControlService, [email]: string[]): Promise<void> {
    const id = await this.userId(email);
    if (id) this.output.line(`${email}: disabled; ${await accounts.disable(id, { via: 'cli' })} session(s) ended`);
  }
}

@Command({ name: 'user:enable', arguments: '<email>', description: 'Accept the account’s logins again' })
export class UserEnableCommand extends AccountControlCommand {
  protected async act(accounts: AccountControlService, [email]: string[]): Promise<void> {
    const id = await this.userId(email);
    if (!id) return;
    await accounts.enable(id, { via: 'cli' });
    this.output.line(`${email}: enabled; they may log in again`);
  }
}
