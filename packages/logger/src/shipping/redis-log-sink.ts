import { randomUUID } from 'node:crypto';
import { LogStreamField } from '@pa-connector/redis-contracts';

/** What the sink needs of a Redis client (an ioredis client fits). */
export interface LogStreamClient {
  readonly status: string;
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * Adds one stream entry per line, once: KEYS stream, producer key; ARGV maxlen, service, ttl ms,
 * then (seq, line) pairs with seqs rising. Lines at or below the producer's highest seq already
 * in the stream are skipped (a batch sent again because its reply was lost, or re-sent by the
 * client after a reconnect), so the answer counts them as accepted. The script runs atomically
 * and its effects reach the AOF as one transaction, so the entries and the producer's seq survive
 * a restart together. One script call per batch costs the client and Redis far less than one
 * XADD command per line; pcall stops at the first refused XADD so the rest can be retried.
 */
export const XADD_BATCH_SCRIPT = `
local stored = redis.call('GET', KEYS[2])
local last = tonumber(stored or '0')
local lastText = stored or '0'
local accepted = 0
for i = 4, #ARGV, 2 do
  local seq = tonumber(ARGV[i])
  if seq > last then
    local r = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', '${LogStreamField.service}', ARGV[2], '${LogStreamField.line}', ARGV[i + 1])
    if type(r) == 'table' and r.err then break end
    last = seq
    lastText = ARGV[i]
  end
  accepted = accepted + 1
end
-- The number as the producer wrote it: Lua would print a large one in exponent form.
redis.call('SET', KEYS[2], lastText, 'PX', ARGV[3])
return accepted
`;

/** A line and, once it went out in a batch, its sequence number (kept across retries). */
interface PendingLine {
  line: string;
  seq: number;
}

export interface RedisLogSinkOptions {
  /** The service whose lines these are (a field of every stream entry). */
  service: string;
  /**
   * This producer (one process), unique among every producer that ever writes the stream; the
   * sequence numbers of its lines are counted under it. A random one by default.
   */
  producerId?: string;
  /** How long Redis remembers a silent producer's last sequence number. */
  producerTtlMs?: number;
  /** Lines kept while Redis is unreachable; beyond that new lines are dropped and counted. */
  maxBufferLines?: number;
  /** Lines per batch (one script call adding one stream entry per line). */
  batchLines?: number;
  /** Approximate bound of the stream (`XADD ... MAXLEN ~ n`), so Redis memory stays bounded. */
  maxStreamLength?: number;
  /** Longer lines are not shipped (stdout still has them) and are counted. */
  maxLineBytes?: number;
  /** Pause after Redis refused a batch while connected (an error reply, not a disconnect). */
  retryDelayMs?: number;
  now?: () => Date;
}

export type LogDropReason = 'buffer_full' | 'oversize' | 'closed';

export interface LogSinkStats {
  /** Lines waiting to be sent. */
  buffered: number;
  /** Lines Redis accepted. */
  sentLines: number;
  /** Lines that will never reach Redis, by reason. */
  dropped: Record<LogDropReason, number>;
  /** Pipelines that failed in whole or part (their lines were kept for the next try). */
  failedBatches: number;
}

export const SINK_DEFAULTS = {
  maxBufferLines: 10_000,
  batchLines: 1_000,
  maxStreamLength: 100_000,
  maxLineBytes: 64 * 1024,
  retryDelayMs: 1_000,
  producerTtlMs: 7 * 24 * 3600 * 1000,
} as const;

/**
 * Ships log lines to the Redis stream in batches (one batch in flight at a time, so lines keep
 * their order; each line is one stream entry). It never blocks the caller and never throws: while Redis is unreachable lines
 * wait in a bounded buffer, and what does not fit is dropped, counted, and announced by one line
 * in the stream once Redis is back.
 */
export class RedisLogSink {
  readonly #service: string;
  readonly #maxBuffer: number;
  readonly #batch: number;
  readonly #maxLen: string;
  readonly #maxLineBytes: number;
  readonly #retryDelayMs: number;
  readonly #now: () => Date;
  readonly #producerTtl: string;
  /** Names this producer's sequence numbers in Redis. */
  readonly producerId: string;
  #pending: PendingLine[] = [];
  #nextSeq = 1;
  #client: LogStreamClient | undefined;
  #key = '';
  #producerKey = '';
  #sending = false;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #sent = 0;
  #failedBatches = 0;
  readonly #dropped: Record<LogDropReason, number> = { buffer_full: 0, oversize: 0, closed: 0 };
  /** Drops not yet announced in the stream. */
  #unannounced = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #onReady = () => this.#kick();

  constructor(o: RedisLogSinkOptions) {
    this.#service = o.service;
    this.#maxBuffer = o.maxBufferLines ?? SINK_DEFAULTS.maxBufferLines;
    this.#batch = Math.max(1, o.batchLines ?? SINK_DEFAULTS.batchLines);
    this.#maxLen = String(o.maxStreamLength ?? SINK_DEFAULTS.maxStreamLength);
    this.#maxLineBytes = o.maxLineBytes ?? SINK_DEFAULTS.maxLineBytes;
    this.#retryDelayMs = o.retryDelayMs ?? SINK_DEFAULTS.retryDelayMs;
    this.#now = o.now ?? (() => new Date());
    this.#producerTtl = String(o.producerTtlMs ?? SINK_DEFAULTS.producerTtlMs);
    this.producerId = o.producerId ?? `${o.service}-${randomUUID()}`;
  }

  /**
   * Starts shipping to `key` through `client` (lines written before this wait in the buffer);
   * `producerKey` names the key that holds a producer's last sequence number.
   */
  attach(client: LogStreamClient, key: string, producerKey: (producerId: string) => string): void {
    this.#client?.off('ready', this.#onReady);
    this.#client = client;
    this.#key = key;
    this.#producerKey = producerKey(this.producerId);
    client.on('ready', this.#onReady);
    this.#kick();
  }

  /** The pino destination side: one serialized line per call. Never blocks, never throws. */
  write(chunk: string): boolean {
    if (this.#closed) {
      this.#dropped.closed++;
      return true;
    }
    const line = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
    if (line.length * 3 > this.#maxLineBytes && Buffer.byteLength(line) > this.#maxLineBytes) {
      this.#dropped.oversize++;
      return true;
    }
    if (this.#pending.length >= this.#maxBuffer) {
      this.#dropped.buffer_full++;
      this.#unannounced++;
      return true;
    }
    this.#pending.push({ line, seq: 0 });
    this.#kick();
    return true;
  }

  stats(): LogSinkStats {
    return {
      buffered: this.#pending.length,
      sentLines: this.#sent,
      dropped: { ...this.#dropped },
      failedBatches: this.#failedBatches,
    };
  }

  /**
   * Resolves true once every buffered line is in Redis, false if that did not happen within
   * `timeoutMs` (Redis unreachable).
   */
  flush(timeoutMs = 5_000): Promise<boolean> {
    if (this.#idle()) return Promise.resolve(true);
    this.#kick();
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      this.#idleWaiters.push(waiter);
    });
  }

  /** Flushes (up to `timeoutMs`), then stops: what is still buffered is dropped and counted. */
  async close(timeoutMs = 2_000): Promise<void> {
    if (this.#closed) return;
    await this.flush(timeoutMs);
    this.#closed = true;
    this.#dropped.closed += this.#pending.length;
    this.#pending = [];
    clearTimeout(this.#retryTimer);
    this.#client?.off('ready', this.#onReady);
  }

  #idle(): boolean {
    return this.#pending.length === 0 && !this.#sending;
  }

  #kick(): void {
    const c = this.#client;
    if (this.#sending || this.#retryTimer || !c || c.status !== 'ready') return;
    if (this.#pending.length === 0 && this.#unannounced === 0) return;
    this.#sending = true;
    // Wait for the current tick to end so the lines it logs go in one batch.
    setImmediate(() => void this.#run());
  }

  async #run(): Promise<void> {
    try {
      while (
        this.#client?.status === 'ready' &&
        (this.#pending.length > 0 || this.#unannounced > 0)
      ) {
        if (!(await this.#sendOne(this.#client))) break;
      }
    } finally {
      this.#sending = false;
    }
    if (this.#idle()) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Sends one batch; false if any of it failed (those lines go back to the front). */
  async #sendOne(client: LogStreamClient): Promise<boolean> {
    const batch = this.#take();
    let added = 0;
    try {
      const args: string[] = [];
      for (const p of batch) args.push(String(p.seq), p.line);
      const n = await client.eval(
        XADD_BATCH_SCRIPT,
        2,
        this.#key,
        this.#producerKey,
        this.#maxLen,
        this.#service,
        this.#producerTtl,
        ...args,
      );
      added = typeof n === 'number' ? Math.max(0, Math.min(n, batch.length)) : 0;
    } catch {
      // refused or the connection is gone: every line of the batch is retried
    }
    this.#sent += added;
    if (added === batch.length) return true;
    this.#failedBatches++;
    this.#requeue(batch.slice(added));
    if (client.status === 'ready') {
      // Connected but refused (for instance out of memory): try again later, not in a loop.
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#kick();
      }, this.#retryDelayMs);
      this.#retryTimer.unref();
    }
    return false;
  }

  /** The next batch; its lines get their sequence numbers now, if they have none yet. */
  #take(): PendingLine[] {
    if (this.#unannounced > 0) {
      // After the lines that already went out once, so sequence numbers keep rising.
      let at = 0;
      while (at < this.#pending.length && (this.#pending[at] as PendingLine).seq !== 0) at++;
      this.#pending.splice(at, 0, { line: this.#dropNotice(this.#unannounced), seq: 0 });
      this.#unannounced = 0;
    }
    let batch: PendingLine[];
    if (this.#pending.length <= this.#batch) {
      batch = this.#pending;
      this.#pending = [];
    } else {
      batch = this.#pending.slice(0, this.#batch);
      this.#pending = this.#pending.slice(this.#batch);
    }
    for (const p of batch) if (p.seq === 0) p.seq = this.#nextSeq++;
    return batch;
  }

  #requeue(lines: PendingLine[]): void {
    const all = lines.concat(this.#pending);
    const excess = all.length - this.#maxBuffer;
    if (excess > 0) {
      all.length = this.#maxBuffer;
      this.#dropped.buffer_full += excess;
      this.#unannounced += excess;
    }
    this.#pending = all;
  }

  #dropNotice(count: number): string {
    return JSON.stringify({
      level: 'warn',
      time: this.#now().toISOString(),
      service: this.#service,
      component: 'log-shipping',
      droppedLines: count,
      msg: `${count} log lines were not shipped to Redis: the buffer was full while Redis was unreachable`,
    });
  }
}
