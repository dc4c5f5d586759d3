import { Command, CommandRunner } from 'nest-commander';
import { loadEnvironment } from '../config/environment';
import { securityPosture } from '../config/security-posture';
import { CliOutput } from './cli-output';

@Command({
  name: 'security:check',
  description: 'Print the effective security posture, one rule a line; exits non-zero on any FAIL',
})
export class SecurityCheckCommand extends CommandRunner {
  constructor(private readonly output: CliOutput) {
    super();
  }

  run(): Promise<void> {
    const findings = securityPosture(loadEnvironment());
    const width = Math.max(...findings.map((finding) => finding.setting.length));
    for (const { verdict, setting, message } of findings) {
      this.output.line(`${verdict.padEnd(4)}  ${setting.padEnd(width)}  ${message}`);
    }
    const failed = findings.filter((finding) => finding.verdict === 'FAIL').length;
    if (failed > 0) {
      this.output.line(`${failed} rule(s) failed.`);
      process.exitCode = 1;
    }
    return Promise.resolve();
  }
}
