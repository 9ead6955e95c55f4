import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import {
  createLogger,
  type LogStreamClient,
  RedisLogSink,
  SecretValues,
  XADD_BATCH_SCRIPT,
} from '../../src';

/** A Redis stand-in that runs the batch script's effect; `mode` decides how it answers. */
class FakeRedis extends EventEmitter implements LogStreamClient {
  status = 'ready';
  entries: Array<{ key: string; args: string[] }> = [];
  calls = 0;
  mode: 'ok' | 'disconnect' | { errorFrom: number } | 'refuse' | 'lose-reply' = 'ok';

  /** Highest seq added, per producer key (the script's own bookkeeping). */
  seqs = new Map<string, number>();

  async eval(script: string, numKeys: number, ...args: string[]): Promise<unknown> {
    this.calls++;
    expect(script).toBe(XADD_BATCH_SCRIPT);
    expect(numKeys).toBe(2);
    const [key, producerKey, maxLen, service, _ttl, ...pairs] = args as [
      string,
      string,
      string,
      string,
      string,
      ...string[],
    ];
    const mode = this.mode;
    if (mode === 'disconnect') throw new Error("Stream isn't writeable");
    if (mode === 'refuse') throw new Error('OOM command not allowed');
    const count = pairs.length / 2;
    const upTo =
      typeof mode === 'object' && 'errorFrom' in mode ? Math.min(mode.errorFrom, count) : count;
    let last = this.seqs.get(producerKey) ?? 0;
    for (let i = 0; i < upTo; i++) {
      const seq = Number(pairs[2 * i]);
      if (seq <= last) continue;
      last = seq;
      this.entries.push({
        key,
        args: ['MAXLEN', '~', maxLen, '*', 'service', service, 'line', pairs[2 * i + 1] as string],
      });
    }
    this.seqs.set(producerKey, last);
    if (mode === 'lose-reply') {
      this.mode = 'ok';
      throw new Error('Connection is closed.');
    }
    return upTo;
  }

  lines(): string[] {
    return this.entries.map((e) => e.args[e.args.indexOf('line') + 1] as string);
  }

  goDown(): void {
    this.status = 'reconnecting';
    this.mode = 'disconnect';
  }

  comeBack(): void {
    this.status = 'ready';
    this.mode = 'ok';
    this.emit('ready');
  }
}

const quiet = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

describe('RedisLogSink', () => {
  it('ships each line as one XADD with a bounded stream, batched into one script call per batch, in order', async () => {
    const redis = new FakeRedis();
    const sink = new RedisLogSink({ service: 'update', batchLines: 10, maxStreamLength: 5000 });
    sink.attach(redis, 'p:logs', (id) => `p:producer:${id}`);
    for (let i = 0; i < 25; i++) sink.write(`{"n":${i}}\n`);
    expect(await sink.flush()).toBe(true);
    expect(redis.lines()).toEqual(Array.from({ length: 25 }, (_, i) => `{"n":${i}}`));
    expect(redis.calls).toBe(3);
    expect(redis.entries[0]).toEqual({
      key: 'p:logs',
      args: ['MAXLEN', '~', '5000', '*', 'service', 'update', 'line', '{"n":0}'],
    });
    expect(sink.stats()).toMatchObject({ buffered: 0, sentLines: 25, failedBatches: 0 });
  });

  it('adds a batch once when it is sent again after its reply was lost', async () => {
    const redis = new FakeRedis();
    const sink = new RedisLogSink({ service: 'update', batchLines: 10, retryDelayMs: 1 });
    sink.attach(redis, 'p:logs', (id) => `p:producer:${id}`);
    redis.mode = 'lose-reply';
    for (let i = 0; i < 25; i++) sink.write(`{"n":${i}}\n`);
    expect(await sink.flush()).toBe(true);
    expect(redis.lines()).toEqual(Array.from({ length: 25 }, (_, i) => `{"n":${i}}`));
    expect(sink.stats()).toMatchObject({ sentLines: 25, failedBatches: 1 });
  });

  it('buffers while Redis is down up to the bound, counts the drops, and announces them when back', async () => {
    const redis = new FakeRedis();
    redis.goDown();
    const now = new Date('2026-01-02T03:04:05.000Z');
    const sink = new RedisLogSink({ service: 'connector', maxBufferLines: 5, now: () => now });
    sink.attach(redis, 'k', (id) => `p:producer:${id}`);
    for (let i = 0; i < 8; i++) sink.write(`{"n":${i}}\n`);
    expect(sink.stats()).toMatchObject({ buffered: 5, dropped: { buffer_full: 3 } });
    expect(await sink.flush(50)).toBe(false);

    redis.comeBack();
    expect(await sink.flush()).toBe(true);
    const lines = redis.lines();
    expect(JSON.parse(lines[0] as string)).toEqual({
      level: 'warn',
      time: now.toISOString(),
      service: 'connector',
      component: 'log-shipping',
      droppedLines: 3,
      msg: expect.stringMatching(/^3 log lines were not shipped/),
    });
    expect(lines.slice(1)).toEqual([0, 1, 2, 3, 4].map((n) => `{"n":${n}}`));
    expect(sink.stats()).toMatchObject({ buffered: 0, sentLines: 6, dropped: { buffer_full: 3 } });
  });

  it('keeps the lines of a batch that failed half way, in order, and sends them when Redis is back', async () => {
    const redis = new FakeRedis();
    redis.mode = { errorFrom: 2 };
    redis.status = 'ready';
    const sink = new RedisLogSink({ service: 's', retryDelayMs: 10 });
    sink.attach(redis, 'k', (id) => `p:producer:${id}`);
    for (let i = 0; i < 5; i++) sink.write(`{"n":${i}}\n`);
    await new Promise((r) => setTimeout(r, 5));
    expect(sink.stats()).toMatchObject({ buffered: 3, sentLines: 2, failedBatches: 1 });
    redis.mode = 'ok';
    expect(await sink.flush()).toBe(true);
    expect(redis.lines()).toEqual([0, 1, 2, 3, 4].map((n) => `{"n":${n}}`));
  });

  it('does not spin while Redis refuses commands: it waits retryDelayMs between tries', async () => {
    const redis = new FakeRedis();
    redis.mode = 'refuse';
    const sink = new RedisLogSink({ service: 's', retryDelayMs: 60_000 });
    sink.attach(redis, 'k', (id) => `p:producer:${id}`);
    for (let i = 0; i < 100; i++) {
      sink.write('{"x":1}\n');
      await new Promise((r) => setImmediate(r));
    }
    expect(redis.calls).toBe(1);
    expect(sink.stats().buffered).toBe(100);
    await sink.close(10);
    expect(sink.stats().dropped.closed).toBe(100);
  });

  it('drops lines too long to ship and lines written after close, counting both', async () => {
    const redis = new FakeRedis();
    const sink = new RedisLogSink({ service: 's', maxLineBytes: 100 });
    sink.attach(redis, 'k', (id) => `p:producer:${id}`);
    sink.write(`{"big":"${'é'.repeat(60)}"}\n`);
    sink.write('{"ok":1}\n');
    await sink.close();
    sink.write('{"late":1}\n');
    expect(redis.lines()).toEqual(['{"ok":1}']);
    expect(sink.stats().dropped).toEqual({ buffer_full: 0, oversize: 1, closed: 1 });
  });

  it('sends nothing before it is attached, then everything buffered', async () => {
    const redis = new FakeRedis();
    const sink = new RedisLogSink({ service: 's' });
    sink.write('{"early":1}\n');
    await new Promise((r) => setImmediate(r));
    sink.attach(redis, 'k', (id) => `p:producer:${id}`);
    expect(await sink.flush()).toBe(true);
    expect(redis.lines()).toEqual(['{"early":1}']);
  });
});

describe('createLogger with a log stream', () => {
  it('writes each line to stdout and to the stream, scrubbed the same way in both', async () => {
    const out: string[] = [];
    const destination = new Writable({
      write(chunk, _e, cb) {
        out.push(String(chunk));
        cb();
      },
    });
    const redis = new FakeRedis();
    const sink = new RedisLogSink({ service: 'connector' });
    sink.attach(redis, 'k', (id) => `p:producer:${id}`);
    const secrets = new SecretValues(['eyJzZWNyZXQiOiJTM2NyZXRWYWx1ZSJ9']);
    const log = createLogger({ service: 'connector', destination, logStream: sink, secrets });
    log.info({ token: 'tok-123456', note: 'key eyJzZWNyZXQiOiJTM2NyZXRWYWx1ZSJ9' }, 'enrolling');
    await sink.flush();
    expect(redis.lines()).toHaveLength(1);
    const shipped = redis.lines()[0] as string;
    expect(`${shipped}\n`).toBe(out[0]);
    expect(shipped).not.toMatch(/S3cretValue|tok-123456/);
    expect(JSON.parse(shipped)).toMatchObject({
      service: 'connector',
      msg: 'enrolling',
      token: '[redacted]',
    });
  });

  it('never blocks or throws while Redis is down', () => {
    const redis = new FakeRedis();
    redis.goDown();
    const sink = new RedisLogSink({ service: 's', maxBufferLines: 10 });
    sink.attach(redis, 'k', (id) => `p:producer:${id}`);
    const log = createLogger({ service: 's', destination: quiet(), logStream: sink });
    for (let i = 0; i < 1000; i++) log.info({ i }, 'line');
    expect(sink.stats()).toMatchObject({ buffered: 10, dropped: { buffer_full: 990 } });
  });
});
