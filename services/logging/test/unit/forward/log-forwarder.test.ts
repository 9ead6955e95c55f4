import { createLogger } from '@pa-connector/logger';
import type { LogBatch } from '@pa-connector/sse-api';
import { FakeClock, flush } from '@pa-connector/test-support';
import type { WrittenLine } from '../../../src/files/log-store';
import { ForwardError } from '../../../src/forward/forward-error';
import {
  type ForwardDropReason,
  LogForwarder,
  type LogForwarderOptions,
} from '../../../src/forward/log-forwarder';
import { LEVELS } from '../../../src/query/log-filter';

/** A sender whose answers the test decides; each call waits until answered. */
class FakeSender {
  readonly batches: LogBatch[] = [];
  readonly #waiting: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  /** When set, every call is answered at once this way. */
  auto: 'ok' | Error | undefined = 'ok';

  send = (batch: LogBatch): Promise<void> => {
    this.batches.push(batch);
    if (this.auto === 'ok') return Promise.resolve();
    if (this.auto) return Promise.reject(this.auto);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  };

  get waiting(): number {
    return this.#waiting.length;
  }

  answer(outcome: 'ok' | Error): void {
    const w = this.#waiting.shift();
    if (!w) throw new Error('no call waiting');
    if (outcome === 'ok') w.resolve();
    else w.reject(outcome);
  }

  /** The `n` of every entry sent, in order. */
  sentNumbers(): number[] {
    return this.batches.flatMap((b) => b.entries.map((e) => Number(e.n)));
  }
}

class Counts {
  forwarded = 0;
  failures = 0;
  dropped: Partial<Record<ForwardDropReason, number>> = {};
  observer = {
    forwarded: (n: number) => {
      this.forwarded += n;
    },
    failure: () => {
      this.failures++;
    },
    dropped: (reason: ForwardDropReason, n: number) => {
      this.dropped[reason] = (this.dropped[reason] ?? 0) + n;
    },
  };
}

let seq = 0;
/** Durable lines as the store hands them over: `n` numbers them, `level` as pino writes it. */
function lines(count: number, level = 'warn', service = 'connector'): WrittenLine[] {
  return Array.from({ length: count }, () => {
    const n = seq++;
    return {
      service,
      line: JSON.stringify({ logId: `${n}-0`, level, time: '2030-01-01T00:00:00Z', service, n }),
    };
  });
}

function setup(o: Partial<LogForwarderOptions> = {}) {
  const clock = new FakeClock();
  const sender = new FakeSender();
  const counts = new Counts();
  const logged: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    service: 'logging',
    destination: { write: (s: string) => logged.push(JSON.parse(s)) },
  });
  const forwarder = new LogForwarder({
    send: sender.send,
    clock,
    random: () => 1,
    minLevel: LEVELS.warn as number,
    batchSize: 10,
    intervalMs: 5_000,
    bufferLimit: 100,
    backoff: { initialMs: 500, maxMs: 4_000 },
    logger,
    observer: counts.observer,
    ...o,
  });
  forwarder.start();
  return { clock, sender, counts, logged, forwarder };
}

const retryable = () => new ForwardError('sse_unavailable', 'the SSE is down', true, 502);

beforeEach(() => {
  seq = 0;
});

describe('LogForwarder', () => {
  it('sends a full batch at once, and what is left when the period ends', async () => {
    const { clock, sender, counts, forwarder } = setup();
    forwarder.offer(lines(25));
    await flush();
    // Two full batches at once (the second right after the first), the last 5 wait.
    expect(sender.batches.map((b) => b.entries.length)).toEqual([10, 10]);
    expect(forwarder.buffered).toBe(5);
    await clock.advance(4_999);
    expect(sender.batches).toHaveLength(2);
    await clock.advance(1);
    expect(sender.batches.map((b) => b.entries.length)).toEqual([10, 10, 5]);
    expect(sender.sentNumbers()).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(counts.forwarded).toBe(25);
    expect(forwarder.buffered).toBe(0);
    // Nothing queued: the period passes without a request.
    await clock.advance(10_000);
    expect(sender.batches).toHaveLength(3);
  });

  it('forwards only lines at or above the level, parsed, with logId and service', async () => {
    const { clock, sender, forwarder } = setup({ minLevel: LEVELS.error as number });
    forwarder.offer([
      ...lines(1, 'info'),
      ...lines(1, 'warn'),
      ...lines(1, 'error'),
      ...lines(1, 'debug'),
      ...lines(1, 'fatal', 'update'),
    ]);
    await clock.advance(5_000);
    expect(sender.batches).toHaveLength(1);
    expect(sender.batches[0]?.entries).toEqual([
      expect.objectContaining({ logId: '2-0', level: 'error', service: 'connector', n: 2 }),
      expect.objectContaining({ logId: '4-0', level: 'fatal', service: 'update', n: 4 }),
    ]);
  });

  it('has one request in flight at a time', async () => {
    const { sender, forwarder } = setup();
    sender.auto = undefined;
    forwarder.offer(lines(30));
    await flush();
    expect(sender.batches).toHaveLength(1);
    expect(forwarder.buffered).toBe(30);
    sender.answer('ok');
    await flush();
    expect(sender.batches).toHaveLength(2);
    sender.answer('ok');
    await flush();
    sender.answer('ok');
    await flush();
    expect(sender.sentNumbers()).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(forwarder.buffered).toBe(0);
  });

  it('retries a failed batch with a capped, doubling, jittered delay, in order, and resets after a success', async () => {
    const { clock, sender, counts, logged, forwarder } = setup({ random: () => 0.5 });
    sender.auto = retryable();
    forwarder.offer(lines(3));
    await clock.advance(5_000);
    expect(sender.batches).toHaveLength(1);
    // Delay = full/2 + random*full/2 with full doubling from 500 up to 4000.
    expect(forwarder.retryDelay(1)).toBe(375);
    expect(forwarder.retryDelay(2)).toBe(750);
    expect(forwarder.retryDelay(4)).toBe(3_000);
    expect(forwarder.retryDelay(9)).toBe(3_000);
    const gaps: number[] = [];
    let last = clock.now();
    // Time jumps to the next timer: the gaps are exact, and the test does not crawl 1 ms at a time.
    for (let i = 0; i < 5; i++) {
      const before = sender.batches.length;
      while (sender.batches.length === before) await clock.advance(clock.pending()[0] || 1);
      gaps.push(clock.now() - last);
      last = clock.now();
    }
    expect(gaps).toEqual([375, 750, 1_500, 3_000, 3_000]);
    expect(counts.failures).toBe(6);
    // Lines offered meanwhile queue behind the failed batch and leave after it.
    forwarder.offer(lines(2));
    sender.auto = 'ok';
    await clock.advance(3_000);
    expect(sender.batches.at(-1)?.entries.map((e) => e.n)).toEqual([0, 1, 2, 3, 4]);
    expect(counts.forwarded).toBe(5);
    // One warning for the outage and one line when it is over, not one per attempt.
    const own = logged.filter((l) => l.msg === 'log forwarding failed; retrying');
    expect(own).toHaveLength(1);
    expect(logged.some((l) => l.msg === 'log forwarding resumed')).toBe(true);
    // After a success the next failure starts from the first delay again.
    sender.auto = retryable();
    forwarder.offer(lines(1));
    const sentBefore = sender.batches.length;
    while (sender.batches.length === sentBefore) await clock.advance(clock.pending()[0] || 1);
    const at = clock.now();
    while (sender.batches.length === sentBefore + 1) await clock.advance(clock.pending()[0] || 1);
    expect(clock.now() - at).toBe(375);
  });

  it('keeps at most bufferLimit entries while failing: the oldest are dropped and counted', async () => {
    const { clock, sender, counts, forwarder } = setup({ bufferLimit: 25 });
    sender.auto = retryable();
    forwarder.offer(lines(5));
    await clock.advance(5_000);
    expect(counts.failures).toBe(1);
    forwarder.offer(lines(40));
    expect(forwarder.buffered).toBe(25);
    expect(counts.dropped).toEqual({ buffer_full: 20 });
    sender.auto = 'ok';
    await clock.advance(10_000);
    // The newest 25 arrive, in order.
    expect(sender.batches.slice(1).flatMap((b) => b.entries.map((e) => e.n))).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 20),
    );
    expect(counts.forwarded).toBe(25);
  });

  it('counts a batch in flight towards the bound', async () => {
    const { sender, counts, forwarder } = setup({ bufferLimit: 25 });
    sender.auto = undefined;
    forwarder.offer(lines(10));
    await flush();
    expect(sender.waiting).toBe(1);
    forwarder.offer(lines(30));
    expect(forwarder.buffered).toBe(25);
    expect(counts.dropped).toEqual({ buffer_full: 15 });
    sender.answer('ok');
    await flush();
    // The batch in flight went out whole; the newest 15 follow.
    expect(sender.batches[1]?.entries.map((e) => e.n)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 25),
    );
  });

  it('drops a batch the connector rejects for good (4xx) with a warning, and goes on', async () => {
    const { clock, sender, counts, logged, forwarder } = setup();
    sender.auto = new ForwardError('invalid_request', 'the connector answered 400', false, 400);
    forwarder.offer(lines(4));
    await clock.advance(5_000);
    expect(counts.dropped).toEqual({ rejected: 4 });
    expect(counts.failures).toBe(0);
    expect(forwarder.buffered).toBe(0);
    expect(
      logged.find((l) => l.msg === 'log batch rejected by the connector; dropped'),
    ).toMatchObject({ level: 'warn', entries: 4, err: { code: 'invalid_request' } });
    // 408 and 429 are retried like 5xx.
    for (const status of [408, 429]) {
      sender.auto = new ForwardError(`http_${status}`, 'later', true, status);
      forwarder.offer(lines(1));
      await clock.advance(5_000);
      sender.auto = 'ok';
      await clock.advance(5_000);
    }
    expect(counts.dropped).toEqual({ rejected: 4 });
    expect(counts.forwarded).toBe(2);
  });

  it('splits batches so none exceeds maxBatchBytes and drops an entry that alone would', async () => {
    const { clock, sender, counts, forwarder } = setup({ maxBatchBytes: 300, batchSize: 100 });
    const big = {
      service: 'connector',
      line: JSON.stringify({ level: 'warn', n: -1, pad: 'x'.repeat(400) }),
    };
    forwarder.offer([...lines(2), big, ...lines(6)]);
    await clock.advance(5_000);
    await clock.advance(5_000);
    await clock.advance(5_000);
    for (const b of sender.batches) expect(JSON.stringify(b).length).toBeLessThanOrEqual(300);
    expect(sender.sentNumbers()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(counts.dropped).toEqual({ too_large: 1 });
  });

  it('on stop sends what is queued within the grace, after the batch in flight', async () => {
    const { sender, counts, forwarder } = setup({ batchSize: 4 });
    sender.auto = undefined;
    forwarder.offer(lines(10));
    await flush();
    expect(sender.batches).toHaveLength(1);
    const stopping = forwarder.stop(2_000);
    await flush();
    sender.answer('ok');
    await flush();
    sender.answer('ok');
    await flush();
    sender.answer('ok');
    expect(await stopping).toEqual({ sent: 6, unsent: 0 });
    expect(sender.sentNumbers()).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(counts.forwarded).toBe(10);
    // Stopped: new lines are not taken.
    forwarder.offer(lines(5));
    expect(forwarder.buffered).toBe(0);
  });

  it('on stop gives up when the grace runs out and counts what stayed unsent', async () => {
    const { clock, sender, counts, forwarder } = setup({ batchSize: 4 });
    sender.auto = undefined;
    forwarder.offer(lines(3));
    await clock.advance(5_000);
    expect(sender.batches).toHaveLength(1);
    const stopping = forwarder.stop(2_000);
    await clock.advance(2_000);
    expect(await stopping).toEqual({ sent: 0, unsent: 3 });
    expect(counts.dropped).toEqual({ shutdown: 3 });
    expect(clock.pending()).toEqual([]);
  });

  it('on stop tries once more while a retry waits, and counts the rest when the SSE is still down', async () => {
    const { clock, sender, counts, forwarder } = setup({ batchSize: 4 });
    sender.auto = retryable();
    forwarder.offer(lines(6));
    await flush();
    expect(sender.batches).toHaveLength(1);
    expect(counts.failures).toBe(1);
    const result = await forwarder.stop(2_000);
    expect(sender.batches).toHaveLength(2);
    expect(result).toEqual({ sent: 0, unsent: 6 });
    expect(counts.dropped).toEqual({ shutdown: 6 });
    expect(clock.pending()).toEqual([]);
  });
});
