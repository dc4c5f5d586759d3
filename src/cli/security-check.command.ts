import { Command, CommandRunner } from 'nest-commander';
import { loadSettings } from '../app.config';
import { ConfigurationError } from '../config/compose';
import { CliOutput } from './cli-output';
import { configurationFailures, PostureFinding, securityPosture } from './security-posture';

/**
 * Prints the posture and returns the exit code (1 on any FAIL). A configuration Warden would refuse to
 * start with is not an error here but the answer: each problem is a FAIL line naming its setting.
 * Reads the environment (and var/dev-secrets.json, if present) only, writes nothing: src/cli.ts runs it
 * before any module, database or key is touched.
 */
export function securityCheck(
  line: (text: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  developmentSecretsFile?: string,
): number {
  let findings: PostureFinding[];
  try {
    // Read-only: a missing development secret is reported, not generated into var/.
    findings = securityPosture(loadSettings(env, { developmentSecrets: 'read-only', developmentSecretsFile }));
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    findings = configurationFailures(error.problems);
  }
  const width = Math.max(...findings.map((finding) => finding.setting.length));
  for (const { verdict, setting, message } of findings) {
    line(`${verdict.padEnd(4)}  ${setting.padEnd(width)}  ${message}`);
  }
  const failed = findings.filter((finding) => finding.verdict === 'FAIL').length;
  if (failed > 0) line(`${failed} rule(s) failed.`);
  return failed > 0 ? 1 : 0;
}

/** Listed for --help; src/cli.ts answers it before bootstrapping, so an invalid configuration still gets its FAIL lines. */
@Command({
  name: 'security:check',
  description: 'Print the effective security posture, one rule a line; exits non-zero on any FAIL',
})
export class SecurityCheckCommand extends CommandRunner {
  constructor(private readonly output: CliOutput) {
    super();
  }

  run(): Promise<void> {
    if (securityCheck((text) => this.output.line(text)) !== 0) process.exitCode = 1;
    return Promise.resolve();
  }
}
