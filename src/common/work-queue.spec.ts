import { backoffDelayMs, WorkQueue, WorkQueueOptions } from './work-queue';

/** A queue whose items finish only when the test says so. */
function queueOf(options: Partial<WorkQueueOptions<number>> = {}) {
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  const overflowed: number[] = [];
  const errors: number[] = [];
  const queue = new WorkQueue<number>({
    limit: 3,
    concurrency: 2,
    overflow: 'refuse-new',
    process: (item) => {
      started.push(item);
      return new Promise((resolve) => finish.set(item, resolve));
    },
    onOverflow: (item) => overflowed.push(item),
    onError: (item) => errors.push(item),
    ...options,
  });
  return { queue, started, finish, overflowed, errors };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WorkQueue', () => {
  it('runs at most `concurrency` items at once and keeps the rest waiting, in order', async () => {
    const { queue, started, finish } = queueOf();
    for (const item of [1, 2, 3, 4]) queue.push(item);
    await tick();
    expect(started).toEqual([1, 2]);
    finish.get(1)?.();
    await tick();
    expect(started).toEqual([1, 2, 3]);
  });

  it('refuses a new item when full (refuse-new)', async () => {
    const { queue, overflowed } = queueOf();
    for (const item of [1, 2, 3, 4, 5, 6]) queue.push(item);
    await tick();
    // 1 and 2 in flight; 3, 4, 5 waiting; 6 did not fit.
    expect(overflowed).toEqual([6]);
    expect(queue.takeWaiting()).toEqual([3, 4, 5]);
  });

  it('drops the oldest waiting item to make room (drop-oldest)', () => {
    const { queue, overflowed } = queueOf({ overflow: 'drop-oldest', concurrency: 1, limit: 2 });
    for (const item of [1, 2, 3, 4]) queue.push(item);
    // 1 went straight to the worker's hands on the first push; 2 was the oldest waiting when 4 came.
    expect(overflowed).toEqual([2]);
    expect(queue.takeWaiting()).toEqual([3, 4]);
  });

  it('goes on after an item throws, and tells of it', async () => {
    const done: number[] = [];
    const errors: number[] = [];
    const queue = new WorkQueue<number>({
      limit: 10,
      concurrency: 1,
      overflow: 'refuse-new',
      process: (item) => (item === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(void done.push(item))),
      onOverflow: () => undefined,
      onError: (item) => errors.push(item),
    });
    queue.push(1);
    queue.push(2);
    await queue.idle();
    expect(errors).toEqual([1]);
    expect(done).toEqual([2]);
  });

  it('goes on when the item throws synchronously and the error reporter throws too', async () => {
    const done: number[] = [];
    const queue = new WorkQueue<number>({
      limit: 10,
      concurrency: 1,
      overflow: 'refuse-new',
      process: (item) => {
        if (item === 1) throw new Error('sync boom');
        done.push(item);
        return Promise.resolve();
      },
      onOverflow: () => undefined,
      onError: () => {
        throw new Error('reporter boom');
      },
    });
    queue.push(1);
    queue.push(2);
    await queue.idle();
    expect(done).toEqual([2]);
  });

  it('is idle once nothing waits or runs', async () => {
    const { queue, finish } = queueOf();
    await expect(queue.idle()).resolves.toBeUndefined();
    queue.push(1);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    finish.get(1)?.();
    await tick();
    expect(idle).toBe(true);
  });
});

describe('backoffDelayMs', () => {
  it('doubles per attempt, jittered between half and the whole', () => {
    for (const attempt of [1, 2, 3, 4]) {
      const delay = backoffDelayMs(1000, attempt);
      expect(delay).toBeGreaterThanOrEqual(500 * 2 ** (attempt - 1));
      expect(delay).toBeLessThanOrEqual(1000 * 2 ** (attempt - 1));
    }
  });
});
