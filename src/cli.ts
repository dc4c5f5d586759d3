import 'reflect-metadata';
import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { currentSettings } from './app.config';
import { CliModule } from './cli/cli.module';
import { keysList } from './cli/keys-list';
import { secretsEnvFile, writeSecretsFile } from './cli/secrets.command';
import { securityCheck } from './cli/security-check.command';
import { describeStartupError } from './config/startup-error';

/** Logs go to stderr, so stdout carries only a command's output (e.g. secrets:generate > .env). */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel): void {
    super.printMessages(messages, context, logLevel, 'stderr');
  }
}

/** `--out <file>` or `--out=<file>`. */
function outFile(args: string[]): string | undefined {
  const index = args.indexOf('--out');
  if (index !== -1) return args[index + 1] ?? '';
  return args.find((arg) => arg.startsWith('--out='))?.slice('--out='.length);
}

/** `npm run cli -- <command>` runs dist/cli.js: run `npm run build` first. */
async function bootstrap(): Promise<void> {
  // Generating secrets must work precisely when the configuration lacks them.
  if (process.argv[2] === 'secrets:generate') {
    const out = outFile(process.argv.slice(3));
    if (out === undefined) {
      process.stdout.write(secretsEnvFile());
      return;
    }
    try {
      process.stderr.write(`${writeSecretsFile(out)}\n`);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exitCode = 1;
    }
    return;
  }
  // An invalid configuration is security:check's answer (FAIL lines), not an error; and it reads no database.
  if (process.argv[2] === 'security:check') {
    process.exitCode = securityCheck((text) => process.stdout.write(`${text}\n`));
    return;
  }
  // Read-only and needs no secret: answered before the configuration is loaded (which would generate
  // development secrets) and without TypeORM creating a missing SQLite file.
  if (process.argv[2] === 'keys:list') {
    process.exitCode = await keysList(
      (text) => process.stdout.write(`${text}\n`),
      (text) => process.stderr.write(`${text}\n`),
    );
    return;
  }
  // Validate first, so a bad setting fails with its own message, as in main.ts.
  currentSettings();
  await CommandFactory.run(CliModule, {
    logger: new StderrLogger({ logLevels: ['error', 'warn'] }),
    cliName: 'warden',
    errorHandler: (error) => {
      // commander reports help and version requests as errors with exitCode 0.
      process.exit((error as { exitCode?: number }).exitCode ?? 1);
    },
    // A failing command still lets the application close (audit events flushed), then exits non-zero.
    serviceErrorHandler: (error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  });
}

bootstrap().catch((error: unknown) => {
  console.error(describeStartupError(error));
  process.exit(1);
});
