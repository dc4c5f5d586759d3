import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/**
 * Work that must not delay the HTTP answer, because only some answers would include it (a known address,
 * not an unknown one) and the difference in timing would tell them apart. Each task starts after the
 * current request's work; `idle()` waits for every task, including those the tasks themselves start.
 */
@Injectable()
export class AfterAnswer implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AfterAnswer.name);
  private readonly pending = new Set<Promise<void>>();

  /** `onError` records what the failure means (e.g. a mail never sent); the log always gets it. */
  run(label: string, work: () => Promise<void>, onError?: (error: Error) => void): void {
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .catch((error: Error) => {
        this.logger.error(`${label} failed: ${error.message}`);
        onError?.(error);
      })
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** A clean stop finishes what requests already answered asked for, while the database is still open. */
  beforeApplicationShutdown(): Promise<void> {
    return this.idle();
  }
}
