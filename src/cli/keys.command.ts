import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '../audit/audit.service';
import { KeyRotationService } from '../keys/key-rotation.service';
import { KeyStore } from '../keys/key-store.service';
import { CliOutput } from './cli-output';

const iso = (date: Date | null) => date?.toISOString() ?? '-';

@Command({
  name: 'keys:rotate',
  description: 'Publish the next signing key if there is none, then sign with it; the old key starts retiring',
})
export class KeysRotateCommand extends CommandRunner {
  constructor(
    private readonly rotation: KeyRotationService,
    private readonly audit: AuditService,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: { prepare?: boolean } = {}): Promise<void> {
    if (options.prepare) {
      const { key, created } = await this.rotation.publishNext();
      this.output.line(`${created ? 'Published' : 'Already published'} next key ${key.kid} (${key.alg})`);
      return;
    }
    const result = await this.rotation.rotate('manual');
    await this.audit.flush();
    this.output.line(`Active key: ${result.active.kid} (${result.active.alg})`);
    if (result.previous) {
      this.output.line(`Retiring:   ${result.previous.kid} until ${result.previous.retireAt.toISOString()}`);
    }
    if (result.createdNow) {
      // Verifiers that cached the JWKS learn this kid only by refetching on an unknown kid.
      this.output.line('The new key was not pre-published; next time run keys:rotate --prepare a lead time ahead.');
    }
  }

  @Option({ flags: '--prepare', description: 'only publish the next key, so JWKS caches hold it before it signs' })
  parsePrepare(): boolean {
    return true;
  }
}

@Command({ name: 'keys:list', description: 'List signing keys: kid, algorithm, state and dates (no private material)' })
export class KeysListCommand extends CommandRunner {
  constructor(
    private readonly rotation: KeyRotationService,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    this.output.line(['kid', 'alg', 'state', 'created', 'activated', 'deactivated', 'retire at'].join('\t'));
    for (const key of await this.rotation.list()) {
      const dates = [key.createdAt, key.activatedAt, key.deactivatedAt, key.retireAt].map(iso);
      this.output.line([key.kid, key.alg, key.state, ...dates].join('\t'));
    }
  }
}

@Command({
  name: 'keys:rewrap',
  description: 'Re-seal every private key under KEY_ENCRYPTION_KEY (KEY_ENCRYPTION_KEY_PREVIOUS opens the old ones)',
})
export class KeysRewrapCommand extends CommandRunner {
  constructor(
    private readonly keyStore: KeyStore,
    private readonly output: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    const { total, resealed } = await this.keyStore.rewrap();
    const count = resealed + this.keyStore.resealedAtStartup;
    this.output.line(`Re-sealed ${count} key(s); all ${total} live key(s) now open with KEY_ENCRYPTION_KEY.`);
    this.output.line('KEY_ENCRYPTION_KEY_PREVIOUS is no longer needed: remove it and destroy the old key.');
  }
}
