/** No hashing slot within the bound: the caller answers 503 with Retry-After instead of waiting longer. */
export class HashingOverloadedError extends Error {
  constructor(readonly reason: 'queue_full' | 'wait_exceeded') {
    super(`password hashing overloaded: ${reason}`);
    this.name = 'HashingOverloadedError';
  }
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

/**
 * A bound on concurrent password hashes. argon2 runs on libuv's thread pool; unbounded, a login flood
 * queues there where nothing can refuse it, every other request's file and DNS work waits behind it, and on
 * a small machine the hashing threads starve the event loop. Here at most `concurrency` hashes run, at most
 * `queueSize` wait (first come, first served), none waits longer than `maxWaitMs`; beyond that the caller
 * is refused at once.
 */
export class HashingSlots {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly queueSize: number,
    private readonly maxWaitMs: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** True when a new caller would be refused at once: every slot taken and the queue full. */
  full(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.queueSize;
  }

  /** How many hashes run and wait now (diagnostics and tests). */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.full()) return Promise.reject(new HashingOverloadedError('queue_full'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new HashingOverloadedError('wait_exceeded'));
        }, this.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot straight to the longest waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (!next) {
      this.running -= 1;
      return;
    }
    clearTimeout(next.timer);
    next.grant();
  }
}
