import { Clock } from '../common/clock/clock';
import type { AlertPayload } from './alert';
import { WEBHOOK_CONCURRENCY, WEBHOOK_QUEUE_LIMIT, WebhookSink } from './webhook.sink';

describe('WebhookSink queue', () => {
  const logger = { setContext: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const config = {
    webhook: { url: 'http://127.0.0.1:9/hook', secret: Buffer.alloc(32), attempts: 1, backoffMs: 0, timeoutSeconds: 1 },
  };
  const alert = (n: number) => ({ id: `alert-${n}` }) as AlertPayload;

  afterEach(() => jest.restoreAllMocks());

  it('delivers with a fixed concurrency and drops the oldest past the queue limit, logging the count', async () => {
    let inFlight = 0;
    let peak = 0;
    const posted: string[] = [];
    const releases: (() => void)[] = [];
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (_url, init) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      posted.push((JSON.parse(init?.body as string) as { id: string }).id);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight--;
      return new Response(null, { status: 204 });
    });
    const sink = new WebhookSink(config, logger as never, new Clock());
    for (let n = 0; n < WEBHOOK_QUEUE_LIMIT + WEBHOOK_CONCURRENCY + 5; n++) sink.send(alert(n));
    expect(logger.error).toHaveBeenCalledTimes(5);
    expect(logger.error).toHaveBeenLastCalledWith(
      expect.objectContaining({ dropped: 5 }),
      'alert webhook queue full; oldest alert dropped',
    );
    const idle = sink.idle();
    while (releases.length > 0 || inFlight > 0) {
      releases.splice(0).forEach((release) => release());
      await new Promise((resolve) => setImmediate(resolve));
    }
    await idle;
    expect(peak).toBe(WEBHOOK_CONCURRENCY);
    expect(posted).toHaveLength(WEBHOOK_QUEUE_LIMIT + WEBHOOK_CONCURRENCY);
    // The first few were already being delivered; the oldest still queued were dropped.
    expect(posted).not.toContain(`alert-${WEBHOOK_CONCURRENCY}`);
    expect(posted).toContain(`alert-${WEBHOOK_QUEUE_LIMIT + WEBHOOK_CONCURRENCY + 4}`);
  });
});
