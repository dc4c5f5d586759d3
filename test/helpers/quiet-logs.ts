import { Logger, type LoggerService } from '@nestjs/common';
import { format } from 'node:util';

/** Nest's static logger writes into this list; test/helpers/quiet-environment.js prints it for failing tests. */
const held: string[] = ((globalThis as { __wardenHeldLogs?: string[] }).__wardenHeldLogs ??= []);

function holder(level: string) {
  return (message: unknown, ...params: unknown[]): void => {
    const context = typeof params.at(-1) === 'string' ? `[${String(params.pop())}] ` : '';
    held.push(`${level} ${context}${format(message, ...params)}`);
  };
}

const heldLogger: LoggerService = {
  log: holder('LOG'),
  error: holder('ERROR'),
  warn: holder('WARN'),
  debug: holder('DEBUG'),
  verbose: holder('VERBOSE'),
  fatal: holder('FATAL'),
};

Logger.overrideLogger(heldLogger);
