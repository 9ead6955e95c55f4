import type { Logger } from '@pa-connector/logger';
import { type BackoffPolicy, RetryTimer } from '@pa-connector/service-runtime';
import type { LogBatch } from '@pa-connector/sse-api/internal-api';
import type { WrittenLine } from '../files/log-store';
import type { Clock, Random, TimerHandle } from './clock';
import { selectForForward } from './forward-entry';
import { ForwardError } from './forward-error';

/** Why queued entries were given up: never sent, and counted. */
export type ForwardDropReason = 'buffer_full' | 'rejected' | 'too_large' | 'shutdown';

export interface ForwardObserver {
  forwarded(entries: number): void;
  dropped(reason: ForwardDropReason, entries: number): void;
  /** One failed attempt that will be retried. */
  failure(): void;
}

export interface LogForwarderOptions {
  send: (batch: LogBatch) => Promise<void>;
  clock: Clock;
  random: Random;
  /** Lines at this pino level number or above are forwarded. */
  minLevel: number;
  /** Most entries per batch; a full batch is sent at once. */
  batchSize: number;
  /** Whatever is queued is sent at least this often. */
  intervalMs: number;
  /** Most entries queued while the connector or the SSE is unreachable; beyond, the oldest go. */
  bufferLimit: number;
  /** Most bytes of entries per batch (the connector takes up to 5 MiB per request). */
  maxBatchBytes?: number;
  backoff: BackoffPolicy;
  logger: Logger;
  observer?: ForwardObserver;
}

interface Queued {
  entry: Record<string, unknown>;
  bytes: number;
}

const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** `{"entries":[]}` around the entries (each counted with one separator). */
const BATCH_OVERHEAD = 14;

/**
 * Sends durable log lines at or above a level to the SSE through the connector, in batches of
 * `batchSize` or every `intervalMs`, one request at a time. A failure that can pass is retried
 * with a capped, jittered, doubling delay, the batch kept at the front; a batch the connector
 * rejects for good (4xx other than 408/429) is dropped with a warning. `offer` only queues: it
 * never waits, so file writing and acknowledgement never wait for the connector.
 */
export class LogForwarder {
  readonly #o: LogForwarderOptions;
  readonly #maxBatchBytes: number;
  #queue: Queued[] = [];
  #inFlight: Promise<void> | undefined;
  #inFlightCount = 0;
  #ticker: TimerHandle | undefined;
  readonly #retry: RetryTimer;
  #droppedDuringOutage = 0;
  #started = false;
  #stopped = false;

  constructor(o: LogForwarderOptions) {
    this.#o = o;
    this.#maxBatchBytes = o.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.#retry = new RetryTimer({ ...o, onRetry: () => this.#kick() });
  }

  /** Entries waiting, including a batch in flight. */
  get buffered(): number {
    return this.#queue.length + this.#inFlightCount;
  }

  /** Starts the period timer. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#arm();
  }

  /** Queues the lines at or above the level; sends at once when a batch is full. */
  offer(lines: readonly WrittenLine[]): void {
    if (this.#stopped) return;
    let added = 0;
    for (const l of lines) {
      const entry = selectForForward(l.service, l.line, this.#o.minLevel);
      if (!entry) continue;
      this.#queue.push({ entry, bytes: Buffer.byteLength(l.line) + 1 });
      added++;
    }
    if (added === 0) return;
    this.#bound();
    if (this.#queue.length >= this.#o.batchSize) this.#kick();
  }

  /** The delay before the next retry, for the failure count given (1 = first failure). */
  retryDelay(failures: number): number {
    return this.#retry.delay(failures);
  }

  /**
   * Stops the timers and tries, within `graceMs`, to send what is queued (after the batch in
   * flight). Whatever is still unsent then is counted as dropped (`shutdown`).
   */
  async stop(graceMs: number): Promise<{ sent: number; unsent: number }> {
    if (this.#stopped) return { sent: 0, unsent: 0 };
    this.#stopped = true;
    this.#ticker?.cancel();
    this.#retry.cancel();
    const deadline = this.#o.clock.now() + graceMs;
    let sent = 0;
    let timer: TimerHandle | undefined;
    const timeUp = () =>
      new Promise<'timeout'>((resolve) => {
        timer = this.#o.clock.setTimer(
          () => resolve('timeout'),
          Math.max(0, deadline - this.#o.clock.now()),
        );
      });
    try {
      if (this.#inFlight) {
        if ((await Promise.race([this.#inFlight, timeUp()])) === 'timeout') {
          return this.#giveUp(sent);
        }
        timer?.cancel();
      }
      while (this.#queue.length > 0 && this.#o.clock.now() < deadline) {
        const batch = this.#take();
        if (batch.length === 0) break;
        const attempt = this.#o.send({ entries: batch.map((q) => q.entry) }).then(
          () => true,
          () => false,
        );
        const outcome = await Promise.race([attempt, timeUp()]);
        timer?.cancel();
        if (outcome !== true) {
          this.#queue.unshift(...batch);
          break;
        }
        sent += batch.length;
        this.#o.observer?.forwarded(batch.length);
      }
      return this.#giveUp(sent);
    } finally {
      timer?.cancel();
    }
  }

  #giveUp(sent: number): { sent: number; unsent: number } {
    const unsent = this.#queue.length + this.#inFlightCount;
    this.#queue = [];
    if (unsent > 0) {
      this.#o.observer?.dropped('shutdown', unsent);
      this.#o.logger.warn({ sent, unsent }, 'log forwarding stopped with entries unsent');
    }
    return { sent, unsent };
  }

  #arm(): void {
    this.#ticker = this.#o.clock.setTimer(() => {
      if (this.#stopped) return;
      this.#kick();
      this.#arm();
    }, this.#o.intervalMs);
  }

  /** Drops the oldest queued entries beyond the bound (a batch in flight counts towards it). */
  #bound(): void {
    const excess = Math.min(
      this.#queue.length,
      this.#queue.length + this.#inFlightCount - this.#o.bufferLimit,
    );
    if (excess <= 0) return;
    this.#queue.splice(0, excess);
    this.#o.observer?.dropped('buffer_full', excess);
    if (this.#droppedDuringOutage === 0) {
      this.#o.logger.warn(
        { bufferLimit: this.#o.bufferLimit },
        'log forward buffer full; dropping the oldest entries',
      );
    }
    this.#droppedDuringOutage += excess;
  }

  /** Sends the next batch unless one is in flight, a retry waits, or nothing is queued. */
  #kick(): void {
    if (this.#inFlight || this.#retry.waiting || this.#stopped || this.#queue.length === 0) return;
    this.#inFlight = this.#sendNext().finally(() => {
      this.#inFlight = undefined;
      this.#inFlightCount = 0;
      // A backlog (after an outage) goes out batch after batch, not one per period.
      if (this.#queue.length >= this.#o.batchSize) this.#kick();
    });
  }

  /** Takes the next batch off the queue: up to batchSize entries and maxBatchBytes. */
  #take(): Queued[] {
    let bytes = BATCH_OVERHEAD;
    let n = 0;
    while (n < this.#queue.length && n < this.#o.batchSize) {
      const q = this.#queue[n] as Queued;
      if (n === 0 && BATCH_OVERHEAD + q.bytes > this.#maxBatchBytes) {
        // Would never fit a request the connector accepts.
        this.#queue.shift();
        this.#o.observer?.dropped('too_large', 1);
        this.#o.logger.warn({ bytes: q.bytes }, 'log entry too large to forward; dropped');
        continue;
      }
      if (bytes + q.bytes > this.#maxBatchBytes) break;
      bytes += q.bytes;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  async #sendNext(): Promise<void> {
    const batch = this.#take();
    if (batch.length === 0) return;
    this.#inFlightCount = batch.length;
    try {
      await this.#o.send({ entries: batch.map((q) => q.entry) });
    } catch (err) {
      if (this.#stopped) {
        this.#queue.unshift(...batch);
        return;
      }
      if (err instanceof ForwardError && !err.retryable) {
        this.#o.observer?.dropped('rejected', batch.length);
        this.#o.logger.warn(
          { err: { code: err.code, message: err.message }, entries: batch.length },
          'log batch rejected by the connector; dropped',
        );
        return;
      }
      this.#o.observer?.failure();
      this.#queue.unshift(...batch);
      this.#inFlightCount = 0;
      this.#bound();
      const delay = this.#retry.failed();
      if (this.#retry.failures === 1) {
        const e = err as { code?: unknown; message?: unknown };
        this.#o.logger.warn(
          { err: { code: e.code, message: e.message }, retryInMs: delay },
          'log forwarding failed; retrying',
        );
      }
      return;
    }
    this.#o.observer?.forwarded(batch.length);
    const failures = this.#retry.succeeded();
    if (failures > 0) {
      this.#o.logger.info(
        { failures, dropped: this.#droppedDuringOutage },
        'log forwarding resumed',
      );
    }
    this.#droppedDuringOutage = 0;
  }
}
