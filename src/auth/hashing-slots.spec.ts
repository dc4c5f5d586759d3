import { HashingOverloadedError, HashingSlots } from './hashing-slots';

/** A piece of work the test finishes by hand. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => done, finish };
}

describe('HashingSlots', () => {
  afterEach(() => jest.useRealTimers());

  it('runs at most `concurrency` at once, queues the next in order, refuses past the queue at once', async () => {
    const slots = new HashingSlots(2, 2, 60_000);
    const order: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((name) => {
      const job = held();
      return { job, result: slots.run(job.work).then(() => order.push(name)) };
    });
    expect(slots.load()).toEqual({ running: 2, waiting: 2 });
    await expect(slots.run(() => Promise.resolve())).rejects.toEqual(new HashingOverloadedError('queue_full'));

    jobs[1].job.finish();
    await jobs[1].result;
    expect(slots.load()).toEqual({ running: 2, waiting: 1 });
    for (const { job } of jobs) job.finish();
    await Promise.all(jobs.map(({ result }) => result));
    expect(order).toEqual(['b', 'a', 'c', 'd']);
    // Recovered: every slot is free again.
    expect(slots.load()).toEqual({ running: 0, waiting: 0 });
    await expect(slots.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('refuses a waiter that waited `maxWaitMs`, and frees its place in the queue', async () => {
    jest.useFakeTimers();
    const slots = new HashingSlots(1, 1, 1000);
    const running = held();
    const first = slots.run(running.work);
    const waiting = slots.run(() => Promise.resolve());
    jest.advanceTimersByTime(999);
    expect(slots.load()).toEqual({ running: 1, waiting: 1 });
    jest.advanceTimersByTime(1);
    await expect(waiting).rejects.toEqual(new HashingOverloadedError('wait_exceeded'));
    expect(slots.load()).toEqual({ running: 1, waiting: 0 });
    running.finish();
    await first;
    expect(slots.load()).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the slot when the work fails', async () => {
    const slots = new HashingSlots(1, 0, 1000);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
