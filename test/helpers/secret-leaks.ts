import type { DestinationStream } from 'pino';

/**
 * Every HTTP test file logs at `trace` into memory, and every credential the factories produce is
 * remembered; after the file, no log line may contain any of them (see no-secrets-in-logs.ts). So
 * redaction is checked over every flow the suite drives, not only over one test written for it.
 */
const lines: string[] = [];
const secrets = new Set<string>();

export const capturedLogs: DestinationStream = {
  write: (line: string) => {
    lines.push(line);
  },
};

/** Passwords, tokens, cookie values and CSRF tokens that must never reach a log line. */
export function rememberSecrets(...values: (string | undefined)[]): void {
  for (const value of values) if (value && value.length >= 8) secrets.add(value);
}

export function leakedSecrets(): string[] {
  return [...secrets].filter((secret) => lines.some((line) => line.includes(secret)));
}

export function capturedLineCount(): number {
  return lines.length;
}

export function resetSecretLeakCheck(): void {
  lines.length = 0;
  secrets.clear();
}
