import { LogField, type Logger } from '@pa-connector/logger';
import { type BackoffPolicy, RetryTimer } from '@pa-connector/service-runtime';
import type { PopStatusReport } from '@pa-connector/sse-api/internal-api';
import type { Clock, Random } from '../clock';
import type { PushState } from '../status/pop-status';
import { PushError } from './push-error';

export interface StatusPusherOptions {
  send: (status: PopStatusReport) => Promise<void>;
  clock: Clock;
  random: Random;
  backoff: BackoffPolicy;
  logger: Logger;
  /** Called after each attempt (metrics). */
  onAttempt?: (ok: boolean, at: number) => void;
}

/**
 * Delivers the LATEST POP status: one push at a time; a status offered while another waits
 * replaces it (only the newest is worth sending). A retryable failure waits a capped, jittered,
 * doubling delay, then sends whatever is newest by then; a success resets the delay.
 */
export class StatusPusher {
  readonly #o: StatusPusherOptions;
  #pending: PopStatusReport | undefined;
  #inFlight: Promise<void> | undefined;
  readonly #retry: RetryTimer;
  #stopped = false;
  #lastSuccessAt: number | undefined;
  #lastError: PushState['lastError'] = null;

  constructor(o: StatusPusherOptions) {
    this.#o = o;
    this.#retry = new RetryTimer({ ...o, onRetry: () => this.#kick() });
  }

  /** Queues `status` for delivery, replacing an unsent older one. */
  offer(status: PopStatusReport): void {
    if (this.#stopped) return;
    this.#pending = status;
    this.#kick();
  }

  state(): PushState {
    return {
      lastSuccessAt:
        this.#lastSuccessAt === undefined ? null : new Date(this.#lastSuccessAt).toISOString(),
      lastError: this.#lastError,
      pending: this.#pending !== undefined,
    };
  }

  /** The delay before the next retry, for the failure count given (1 = first failure). */
  retryDelay(failures: number): number {
    return this.#retry.delay(failures);
  }

  /**
   * Stops retrying; a push in flight is not waited for (the connector may take its whole
   * timeout) and its outcome is ignored. Unsent status stays unsent.
   */
  stop(): void {
    this.#stopped = true;
    this.#retry.cancel();
  }

  /** Starts sending unless a push is in flight or a retry is waiting. */
  #kick(): void {
    if (this.#inFlight || this.#retry.waiting || !this.#pending || this.#stopped) return;
    this.#inFlight = this.#drain().finally(() => {
      this.#inFlight = undefined;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending && !this.#stopped) {
      const status = this.#pending;
      try {
        await this.#o.send(status);
        const at = this.#o.clock.now();
        if (this.#pending === status) this.#pending = undefined;
        const failures = this.#retry.succeeded();
        if (failures > 0) this.#o.logger.info({ failures }, 'POP status delivered again');
        this.#lastSuccessAt = at;
        this.#lastError = null;
        this.#o.onAttempt?.(true, at);
      } catch (err) {
        const at = this.#o.clock.now();
        const e =
          err instanceof PushError
            ? err
            : new PushError('push_failed', (err as Error).message, true, undefined, { cause: err });
        this.#lastError = { code: e.code, message: e.message, at: new Date(at).toISOString() };
        this.#o.onAttempt?.(false, at);
        if (!e.retryable) {
          // Sending the same status again cannot help; the next period brings a new one.
          if (this.#pending === status) this.#pending = undefined;
          this.#o.logger.error(
            { [LogField.code]: e.code, reason: e.message },
            'POP status refused',
          );
          continue;
        }
        const delayMs = this.#retry.failed();
        const log = this.#retry.failures === 1 ? 'warn' : 'debug';
        this.#o.logger[log](
          {
            [LogField.code]: e.code,
            reason: e.message,
            [LogField.attempt]: this.#retry.failures,
            [LogField.delayMs]: delayMs,
          },
          'POP status push failed; retrying with the newest status',
        );
        return;
      }
    }
  }
}
