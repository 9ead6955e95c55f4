import {
  decodeLogStreamEntry,
  type Logger,
  type LogStreamEntry,
  LogStreamField,
} from '@pa-connector/logger';
import { backoffStep, type ReadinessCheck } from '@pa-connector/service-runtime';
import type Redis from 'ioredis';
import type { BatchResult } from '../files/log-store';
import { systemClock } from '../forward/clock';

/** The consumer group every logging instance reads the stream with. */
export const LOG_CONSUMER_GROUP = 'logging';

/** How long one XREADGROUP waits for entries (the connection's deadline must be longer). */
export const CONSUMER_BLOCK_MS = 500;

/**
 * Reads taken together, while a backlog lasts, into one written and acknowledged group: the
 * fsync and the acknowledgement cost the same for ten thousand lines as for one thousand.
 */
const GROUP_READS = 10;

/** Pauses after failed reads: short, as Redis is local; a fixed schedule, one reader per POP. */
const RETRY_BACKOFF = { initialMs: 100, maxMs: 3_000 };

export type ConsumerPhase = 'starting' | 'recovering' | 'consuming' | 'retrying' | 'stopped';

export interface ConsumerObserver {
  /** Entries read from the stream (new or claimed again). */
  read(entries: number, claimed: boolean): void;
  batch(result: BatchResult, seconds: number): void;
  /** Pending entries that were trimmed from the stream before they could be written. */
  trimmed(count: number): void;
  error(err: unknown): void;
}

export interface StreamConsumerOptions {
  /**
   * A connection of its own (XREADGROUP BLOCK holds it) with a command timeout longer than
   * `blockMs`, that rejects commands in flight when it drops rather than sending them again:
   * a read sent again behind the consumer's back would hand entries to it that it never sees.
   */
  redis: Redis;
  streamKey: string;
  consumer: string;
  batchSize: number;
  /** How long one XREADGROUP waits for entries; also bounds how long stop() takes. */
  blockMs?: number;
  write: (entries: LogStreamEntry[]) => Promise<BatchResult>;
  observer?: ConsumerObserver;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

type RawEntry = [id: string, fields: string[] | null] | null;

/**
 * Reads the log stream with a consumer group and acknowledges an entry only after the store made
 * it durable. At start, after a Redis outage and after a failed write it first takes over every
 * pending entry of the group (XAUTOCLAIM from 0, oldest first), so entries read but not written
 * before a crash are written now — and entries written but not acknowledged are recognised by
 * the store and acknowledged without being written twice.
 */
export class StreamConsumer {
  #phase: ConsumerPhase = 'starting';
  #stopping = false;
  #loop: Promise<void> | undefined;
  #groupReady = false;
  #recover = true;
  #failures = 0;
  #lastError: string | undefined;
  #lastBatchAt: number | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #blockMs: number;
  #wake: (() => void) | undefined;

  constructor(private readonly o: StreamConsumerOptions) {
    this.#sleep =
      o.sleep ??
      ((ms) =>
        new Promise<void>((resolve) => {
          const timer = systemClock.setTimer(done, ms);
          function done() {
            timer.cancel();
            resolve();
          }
          this.#wake = done;
        }));
    this.#now = o.now ?? Date.now;
    this.#blockMs = o.blockMs ?? CONSUMER_BLOCK_MS;
  }

  get phase(): ConsumerPhase {
    return this.#phase;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#phase = 'stopped';
  }

  /** Ready while the group exists and entries flow (recovering counts). */
  check(): ReadinessCheck {
    return {
      name: 'ingest',
      check: () => this.#phase === 'recovering' || this.#phase === 'consuming',
      detail: () => ({
        phase: this.#phase,
        ...(this.#lastBatchAt ? { lastBatchAt: new Date(this.#lastBatchAt).toISOString() } : {}),
        ...(this.#lastError && this.#phase === 'retrying' ? { lastError: this.#lastError } : {}),
      }),
    };
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#step();
        this.#failures = 0;
      } catch (err) {
        if (this.#stopping) break;
        this.#failures++;
        this.#phase = 'retrying';
        this.#lastError = err instanceof Error ? err.message : String(err);
        if (/NOGROUP/.test(this.#lastError)) this.#groupReady = false;
        // Whatever was read but not acknowledged is taken over again before anything new.
        this.#recover = true;
        this.o.observer?.error(err);
        if (this.#failures === 1) {
          this.o.logger.warn({ err: { message: this.#lastError } }, 'log ingest failed; retrying');
        }
        await this.#sleep(backoffStep(this.#failures, RETRY_BACKOFF));
      }
    }
  }

  async #step(): Promise<void> {
    const r = this.o.redis;
    if (r.status !== 'ready') {
      // Not an error of ours: the client reconnects (the main connection logs the outage).
      // Whatever was in flight is taken over again once Redis is back.
      if (this.#phase !== 'starting') this.#phase = 'retrying';
      this.#recover = true;
      await this.#readyOrTimeout(1_000);
      return;
    }
    if (!this.#groupReady) {
      await this.#ensureGroup();
      this.#groupReady = true;
    }
    if (this.#recover) {
      this.#phase = 'recovering';
      await this.#claimAll();
      this.#recover = false;
      if (this.#failures > 0 || this.#lastError) {
        this.o.logger.info('log ingest resumed');
        this.#lastError = undefined;
      }
    }
    this.#phase = 'consuming';
    let group = await this.#readGroup(this.#blockMs);
    // While one group is written and synced, the next is read (without waiting for new
    // entries): the disk and Redis work side by side instead of taking turns. Entries read
    // ahead are pending in the group like any other: a failed write or a crash leaves them to
    // the take-over, and a stop writes them before it ends.
    while (group.length > 0) {
      const ahead = this.#stopping ? Promise.resolve([]) : this.#readGroup(undefined);
      // Handled here so a read that fails while the write runs is not an unhandled rejection;
      // the await below still sees the failure.
      ahead.catch(() => undefined);
      try {
        await this.#handle(group, false);
      } catch (err) {
        await ahead.catch(() => undefined);
        throw err;
      }
      group = await ahead;
    }
  }

  /**
   * New entries for this consumer, waiting up to `blockMs` for the first when given. A full
   * read means a backlog: more are read at once and returned as one group, written with one
   * write and one fsync per file and acknowledged together.
   */
  async #readGroup(blockMs: number | undefined): Promise<RawEntry[]> {
    let raw = await this.#read(blockMs);
    const group = raw;
    while (
      raw.length === this.o.batchSize &&
      group.length < this.o.batchSize * GROUP_READS &&
      !this.#stopping
    ) {
      raw = await this.#read(undefined);
      for (const item of raw) group.push(item);
    }
    return group;
  }

  /** New entries for this consumer; waits up to `blockMs` for some when given. */
  async #read(blockMs: number | undefined): Promise<RawEntry[]> {
    const r = this.o.redis;
    const { streamKey: key, consumer, batchSize } = this.o;
    const reply = (
      blockMs === undefined
        ? await r.xreadgroup(
            'GROUP',
            LOG_CONSUMER_GROUP,
            consumer,
            'COUNT',
            batchSize,
            'STREAMS',
            key,
            '>',
          )
        : await r.xreadgroup(
            'GROUP',
            LOG_CONSUMER_GROUP,
            consumer,
            'COUNT',
            batchSize,
            'BLOCK',
            blockMs,
            'STREAMS',
            key,
            '>',
          )
    ) as Array<[string, RawEntry[]]> | null;
    return reply?.[0]?.[1] ?? [];
  }

  #readyOrTimeout(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        timer.cancel();
        this.o.redis.off('ready', done);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = systemClock.setTimer(done, ms);
      this.o.redis.once('ready', done);
      this.#wake = done;
    });
  }

  async #ensureGroup(): Promise<void> {
    try {
      // From the start of the stream: lines logged before this service ran are kept too.
      await this.o.redis.xgroup('CREATE', this.o.streamKey, LOG_CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test(String((err as Error).message))) throw err;
    }
  }

  /** Takes over every pending entry of the group, oldest first, and writes it. */
  async #claimAll(): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, raw, deleted] = (await this.o.redis.xautoclaim(
        this.o.streamKey,
        LOG_CONSUMER_GROUP,
        this.o.consumer,
        0,
        cursor,
        'COUNT',
        this.o.batchSize,
      )) as [string, RawEntry[], string[] | undefined];
      if (deleted && deleted.length > 0) this.o.observer?.trimmed(deleted.length);
      if (raw.length > 0) await this.#handle(raw, true);
      cursor = next;
    } while (cursor !== '0-0' && !this.#stopping);
  }

  async #handle(raw: RawEntry[], claimed: boolean): Promise<void> {
    const entries: LogStreamEntry[] = [];
    const ids: string[] = [];
    let malformed = 0;
    for (const item of raw) {
      if (!item) continue;
      const [id, fields] = item;
      ids.push(id);
      const e = fields ? decodeEntry(id, fields) : undefined;
      if (e) entries.push(e);
      else malformed++;
    }
    this.o.observer?.read(ids.length, claimed);
    const started = this.#now();
    const result = await this.o.write(entries);
    for (let i = 0; i < malformed; i++) result.rejected.push({ id: '', reason: 'bad_line' });
    this.o.observer?.batch(result, (this.#now() - started) / 1000);
    // Durable now: only now may Redis forget them.
    if (ids.length > 0) await this.o.redis.xack(this.o.streamKey, LOG_CONSUMER_GROUP, ...ids);
    this.#lastBatchAt = this.#now();
  }
}

/**
 * The entry of the fields every producer writes (`service`, then `line`, both strings) without
 * the contract's general decoder, which builds and checks an object per entry; any other shape
 * goes through that decoder.
 */
function decodeEntry(id: string, fields: string[]): LogStreamEntry | undefined {
  const [k1, service, k2, line] = fields;
  if (
    fields.length === 4 &&
    k1 === LogStreamField.service &&
    k2 === LogStreamField.line &&
    typeof service === 'string' &&
    typeof line === 'string'
  ) {
    return { id, service, line };
  }
  return decodeLogStreamEntry(id, fields);
}

/** The group's lag and pending count from XINFO GROUPS (undefined if the group is not there). */
export async function readGroupInfo(
  redis: Redis,
  streamKey: string,
): Promise<{ lag: number | undefined; pending: number } | undefined> {
  if (redis.status !== 'ready') return undefined;
  const groups = (await redis.xinfo('GROUPS', streamKey).catch(() => [])) as unknown[][];
  for (const g of groups) {
    const f = new Map<string, unknown>();
    for (let i = 0; i + 1 < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
    if (f.get('name') !== LOG_CONSUMER_GROUP) continue;
    const lag = f.get('lag');
    return {
      lag: typeof lag === 'number' ? lag : undefined,
      pending: Number(f.get('pending') ?? 0),
    };
  }
  return undefined;
}
