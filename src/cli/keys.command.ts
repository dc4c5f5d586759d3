import { Inject } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock/clock';
import { keysConfig } from '../keys/keys.config';
import { KeyRotationService } from '../keys/key-rotation.service';
import { KeyStore } from '../keys/key-store.service';
import { TotpSecrets } from '../mfa/totp-secrets';
import { CliDatabase } from './cli-database';
import { CliOutput } from './cli-output';
import { printKeys } from './keys-list';

@Command({
  name: 'keys:rotate',
  description:
    'Publish the next signing key if there is none; sign with it once it has been published for KEY_PREPUBLISH_LEAD',
})
export class KeysRotateCommand extends CommandRunner {
  constructor(
    private readonly rotation: KeyRotationService,
    private readonly audit: AuditService,
    private readonly database: CliDatabase,
    private readonly clock: Clock,
    @Inject(keysConfig.KEY) private readonly settings: ConfigType<typeof keysConfig>,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: { prepare?: boolean; force?: boolean } = {}): Promise<void> {
    await this.database.migrate();
    if (options.prepare || (!options.force && !(await this.rotation.nextKeySafeAt()))) {
      const { key, created } = await this.rotation.publishNext();
      this.output.line(`${created ? 'Published' : 'Already published'} next key ${key.kid} (${key.alg})`);
      if (options.prepare) return;
    }
    if (!options.force) {
      // A verifier's cached JWKS may be up to JWKS_MAX_AGE (+ one poll) old: signing before the lead has
      // passed makes tokens it can only check by refetching on the unknown kid.
      const next = await this.rotation.nextKeySafeAt();
      if (next && next.safeAt > this.clock.now()) {
        this.output.error(
          `Not rotating: next key ${next.kid} is safe to sign with from ${next.safeAt.toISOString()}, once every ` +
            `cached JWKS holds it (KEY_PREPUBLISH_LEAD=${this.settings.prepublishLeadSeconds}s). Run keys:rotate ` +
            'again then; --force rotates now (emergencies only: verifiers must refetch on the unknown kid).',
        );
        process.exitCode = 1;
        return;
      }
    }
    const result = await this.rotation.rotate('manual');
    await this.audit.flush();
    this.output.line(`Active key: ${result.active.kid} (${result.active.alg})`);
    if (result.previous) {
      this.output.line(`Retiring:   ${result.previous.kid} until ${result.previous.retireAt.toISOString()}`);
    }
  }

  @Option({ flags: '--prepare', description: 'only publish the next key, so JWKS caches hold it before it signs' })
  parsePrepare(): boolean {
    return true;
  }

  @Option({ flags: '--force', description: 'rotate now, even if the next key is not yet in every JWKS cache' })
  parseForce(): boolean {
    return true;
  }
}

/** Listed for --help; src/cli.ts answers it before bootstrapping (see keysList): it needs no secret. */
@Command({ name: 'keys:list', description: 'List signing keys: kid, algorithm, state and dates (no private material)' })
export class KeysListCommand extends CommandRunner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly output: CliOutput,
  ) {
    super();
  }

  /** Read-only: an empty or never-migrated database is reported, not initialised. */
  run(): Promise<void> {
    return printKeys(this.dataSource, (text) => this.output.line(text));
  }
}

@Command({
  name: 'keys:rewrap',
  description:
    'Re-seal every private key and TOTP secret under KEY_ENCRYPTION_KEY (KEY_ENCRYPTION_KEY_PREVIOUS opens the old ones)',
})
export class KeysRewrapCommand extends CommandRunner {
  constructor(
    private readonly keyStore: KeyStore,
    private readonly totpSecrets: TotpSecrets,
    private readonly database: CliDatabase,
    @Inject(keysConfig.KEY) private readonly settings: ConfigType<typeof keysConfig>,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    await this.database.migrate();
    const { total, openedWithPrevious, resealed } = await this.keyStore.rewrap();
    this.output.line(
      `${openedWithPrevious} of ${total} live key(s) opened only with KEY_ENCRYPTION_KEY_PREVIOUS; ` +
        `re-sealed ${resealed} under KEY_ENCRYPTION_KEY.`,
    );
    const totp = await this.totpSecrets.resealAll();
    this.output.line(
      `${totp.needed} TOTP secret(s) not under KEY_ENCRYPTION_KEY; re-sealed ${totp.resealed}.` +
        (totp.unreadable > 0
          ? ` ${totp.unreadable} open with no configured key (see the log): their codes are refused.`
          : ''),
    );
    if (totp.unreadable > 0) process.exitCode = 1;
    if (!this.settings.previousEncryptionKey) return;
    // An instance still running with only the old key seals every key it creates (a rotation, an enrolment) under it.
    this.output.line(
      openedWithPrevious + totp.needed > 0
        ? 'Keep KEY_ENCRYPTION_KEY_PREVIOUS and the old key: restart every instance with the new ' +
            'KEY_ENCRYPTION_KEY (and KEY_ENCRYPTION_KEY_PREVIOUS), then run keys:rewrap again until it reports 0.'
        : 'Nothing needs KEY_ENCRYPTION_KEY_PREVIOUS now. Once every instance runs with the new KEY_ENCRYPTION_KEY, ' +
            'remove KEY_ENCRYPTION_KEY_PREVIOUS everywhere; only then destroy the old key.',
    );
  }
}

@Command({
  name: 'keys:revoke',
  arguments: '<kid>',
  description:
    'Emergency: retire a key now; each server stops publishing and verifying it at its next key poll ' +
    '(within KEY_REFRESH_INTERVAL) and its tokens die. An active key is replaced first',
})
export class KeysRevokeCommand extends CommandRunner {
  constructor(
    private readonly rotation: KeyRotationService,
    private readonly audit: AuditService,
    private readonly database: CliDatabase,
    @Inject(keysConfig.KEY) private readonly settings: ConfigType<typeof keysConfig>,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run([kid]: string[]): Promise<void> {
    await this.database.migrate();
    const result = await this.rotation.revoke(kid);
    await this.audit.flush();
    this.output.line(`Revoked ${result.revoked.kid} (was ${result.revoked.previousState}).`);
    if (result.active) this.output.line(`Active key: ${result.active.kid} (${result.active.alg})`);
    // A server re-reads the table only on its poll (a kid it knows triggers no reload): until then it
    // still publishes the key and accepts its tokens.
    this.output.line(
      `Running servers keep verifying it until their next key poll, at most KEY_REFRESH_INTERVAL ` +
        `(${this.settings.refreshIntervalSeconds}s); outside verifiers until their cached JWKS expires after that ` +
        '(JWKS_MAX_AGE more).',
    );
  }
}
