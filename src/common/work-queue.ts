/**
 * Work done off the request path (mail, alert webhooks): `push` returns at once, a few workers drain a
 * bounded queue. The bound and the worker count are what keep a slow or hanging peer from growing memory
 * or tying up more than `concurrency` connections.
 */
export interface WorkQueueOptions<T> {
  /** Items waiting (not counting those in flight). */
  limit: number;
  /** Items processed at once. */
  concurrency: number;
  /** When full: refuse the new item, or drop the oldest waiting one to make room. */
  overflow: 'refuse-new' | 'drop-oldest';
  process: (item: T) => Promise<void>;
  /** Told of every item that did not fit (the new one or the dropped oldest one). */
  onOverflow: (item: T) => void;
  /** Told when `process` throws; the worker goes on with the next item (a rejection must not end the process). */
  onError: (item: T, error: unknown) => void;
}

export class WorkQueue<T> {
  private readonly waiting: T[] = [];
  private workers = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions<T>) {}

  push(item: T): void {
    if (this.waiting.length >= this.options.limit) {
      if (this.options.overflow === 'refuse-new') return this.options.onOverflow(item);
      this.options.onOverflow(this.waiting.shift() as T);
    }
    this.waiting.push(item);
    if (this.workers < this.options.concurrency) {
      this.workers++;
      void this.work();
    }
  }

  /** Resolves once nothing is waiting or in flight (tests; a graceful drain). */
  idle(): Promise<void> {
    if (this.workers === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Empties the queue and hands back what was still waiting (at shutdown). */
  takeWaiting(): T[] {
    return this.waiting.splice(0);
  }

  /** A reporter that throws too must not end the worker (or reject the promise nobody awaits). */
  private report(item: T, error: unknown): void {
    try {
      this.options.onError(item, error);
    } catch {
      // Nothing left to tell.
    }
  }

  private async work(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const item = this.waiting.shift() as T;
        try {
          await this.options.process(item);
        } catch (error) {
          this.report(item, error);
        }
      }
    } finally {
      this.workers--;
      if (this.workers === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

/** 1x, 2x, 4x ... the base delay, with jitter so a recovering peer is not hit by every retry at once. */
export function backoffDelayMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
}
