import { Injectable } from '@nestjs/common';

/** Where commands print: stdout in the CLI, a buffer in tests. */
@Injectable()
export class CliOutput {
  line(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  error(text: string): void {
    process.stderr.write(`${text}\n`);
  }
}
