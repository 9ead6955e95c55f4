import type { Logger } from '@pa-connector/logger';
import { type Clock, systemClock, type TimerHandle } from './clock';

/** What the writer needs of a Redis client (an ioredis client fits). */
export interface WriterClient {
  readonly status: string;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/** One write: builds and sends its commands when its turn comes, so it carries the latest state. */
export type RedisWrite = () => Promise<unknown>;

export interface BestEffortWriterOptions {
  client: WriterClient;
  logger: Logger;
  /** What is written, for the log lines ("app health", "tunnel state"). */
  what: string;
  /** Distinct keys waiting at most; beyond that the oldest waiting write is dropped. */
  maxPending?: number;
  /** Pause after a failed write while the client still counts as connected. */
  retryDelayMs?: number;
  clock?: Clock;
}

export interface BestEffortWriterStats {
  pending: number;
  written: number;
  /** Writes replaced by a newer one for the same key before they were sent. */
  coalesced: number;
  /** Writes dropped because `maxPending` keys were already waiting. */
  dropped: number;
  failed: number;
  /** True from a failed write until the next one that works. */
  failing: boolean;
}

export const WRITER_DEFAULTS = { maxPending: 1_000, retryDelayMs: 1_000 } as const;

/**
 * Writes to Redis on behalf of code that must never wait on Redis (probes, the data path, tunnel
 * supervision): `submit` returns at once. Writes wait in a bounded queue, coalesced by key (only
 * the newest write of a key is kept), and go out one at a time in submission order; a failed
 * write stays queued (unless a newer one for its key came) and is tried again once the client is
 * ready. Failing and working again are logged once each, not per write.
 */
export class BestEffortWriter {
  readonly #o: BestEffortWriterOptions;
  readonly #maxPending: number;
  readonly #retryDelayMs: number;
  #pending = new Map<string, RedisWrite>();
  #running = false;
  #retryTimer: TimerHandle | undefined;
  #closed = false;
  #idleWaiters: Array<() => void> = [];
  readonly #stats = { written: 0, coalesced: 0, dropped: 0, failed: 0 };
  #failing = false;
  readonly #onReady = () => this.#kick();

  constructor(o: BestEffortWriterOptions) {
    this.#o = o;
    this.#maxPending = Math.max(1, o.maxPending ?? WRITER_DEFAULTS.maxPending);
    this.#retryDelayMs = o.retryDelayMs ?? WRITER_DEFAULTS.retryDelayMs;
    o.client.on('ready', this.#onReady);
  }

  /** Queues `write` under `key`, replacing a queued write of the same key. Never waits. */
  submit(key: string, write: RedisWrite): void {
    if (this.#closed) return;
    if (this.#pending.has(key)) {
      this.#stats.coalesced++;
      this.#pending.set(key, write);
    } else {
      if (this.#pending.size >= this.#maxPending) {
        const oldest = this.#pending.keys().next().value as string;
        this.#pending.delete(oldest);
        this.#stats.dropped++;
      }
      this.#pending.set(key, write);
    }
    this.#kick();
  }

  stats(): BestEffortWriterStats {
    return { pending: this.#pending.size, ...this.#stats, failing: this.#failing };
  }

  /** Resolves true once nothing waits, false if that did not happen within `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#pending.size === 0 && !this.#running) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        timer.cancel();
        resolve(true);
      };
      const timer = (this.#o.clock ?? systemClock).setTimer(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.#idleWaiters.push(waiter);
    });
  }

  /** Waits up to `timeoutMs` for queued writes, then stops taking any. */
  async close(timeoutMs = 1_000): Promise<void> {
    await this.idle(timeoutMs);
    this.#closed = true;
    this.#pending.clear();
    this.#retryTimer?.cancel();
    this.#o.client.off('ready', this.#onReady);
  }

  #kick(): void {
    if (this.#running || this.#retryTimer || this.#pending.size === 0) return;
    if (this.#o.client.status !== 'ready') return;
    this.#running = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    while (!this.#closed && this.#o.client.status === 'ready') {
      const next = this.#pending.entries().next();
      if (next.done) break;
      const [key, write] = next.value;
      this.#pending.delete(key);
      try {
        await write();
        this.#stats.written++;
        if (this.#failing) this.#o.logger.info(`writing ${this.#o.what} to Redis works again`);
        this.#failing = false;
      } catch (err) {
        this.#stats.failed++;
        if (!this.#failing) {
          this.#o.logger.warn(
            { reason: (err as Error).message },
            `could not write ${this.#o.what} to Redis; keeping it to retry`,
          );
        }
        this.#failing = true;
        // Back at the front, unless a newer write of the same key came meanwhile.
        if (!this.#pending.has(key)) this.#pending = new Map([[key, write], ...this.#pending]);
        if (this.#o.client.status === 'ready') {
          this.#retryTimer = (this.#o.clock ?? systemClock).setTimer(() => {
            this.#retryTimer = undefined;
            this.#kick();
          }, this.#retryDelayMs);
        }
        break;
      }
    }
    this.#running = false;
    if (this.#pending.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    } else {
      this.#kick();
    }
  }
}
