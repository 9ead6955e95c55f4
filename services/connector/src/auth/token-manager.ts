import type { Logger, SecretSlot, SecretValues } from '@pa-connector/logger';
import { LogField } from '@pa-connector/logger';
import { type BackoffPolicy, logRetries, retry } from '@pa-connector/service-runtime';
import {
  SseApiError,
  type SseClient,
  SseErrorCode,
  type TokenResponse,
} from '@pa-connector/sse-api';
import { AbortedError, type Clock, type Random, type TimerHandle } from '../clock';
import type { ConnectorMetrics } from '../metrics';
import { refreshDelay } from './schedule';

export interface TokenManagerOptions {
  client: Pick<SseClient, 'token' | 'refresh'>;
  clock: Clock;
  random: Random;
  backoff: BackoffPolicy;
  logger: Logger;
  metrics: Pick<ConnectorMetrics, 'tokenRefreshes' | 'tokenExpiry'>;
  /** The current token and the one before it are registered here so no log line can carry them. */
  secrets: SecretValues;
  /** Refresh when this fraction of the token's life has passed (default 0.8). */
  refreshAt?: number;
  /** Refresh up to this fraction of the refresh delay earlier, at random (default 0.1). */
  jitter?: number;
  /** Changes whenever the client certificate changes (renewal). */
  generation?: () => number;
  /** A permanent failure (the certificate was revoked): the service has to stop. */
  onPermanent: (err: unknown) => void;
}

interface Held {
  token: string;
  obtainedAt: number;
  expiresAt: number;
}

function isTokenRejected(err: unknown): boolean {
  return (
    err instanceof SseApiError &&
    err.status === 401 &&
    (err.code === SseErrorCode.tokenInvalid || err.code === SseErrorCode.tokenExpired)
  );
}

export function isCertificateRevoked(err: unknown): boolean {
  return err instanceof SseApiError && err.code === SseErrorCode.certificateRevoked;
}

/**
 * Holds the connector's access token: gets one over mutual TLS, refreshes it ahead of expiry
 * (at `refreshAt` of its life, with jitter), and gets a fresh one when the SSE says the token is
 * invalid or expired. Callers use `withToken`, which retries a call once with a new token.
 */
export class TokenManager {
  readonly #o: TokenManagerOptions;
  readonly #abort = new AbortController();
  readonly #secret: SecretSlot;
  #held: Held | undefined;
  #inflight: Promise<string> | undefined;
  #timer: TimerHandle | undefined;
  #loop: Promise<void> | undefined;

  constructor(o: TokenManagerOptions) {
    this.#o = o;
    // One slot, not one registration per token: a retired token leaves the scrubber, so its cost
    // stays the same however long the connector runs.
    this.#secret = o.secrets.slot('access-token');
  }

  /** Gets the first token in the background (retrying), then keeps it fresh. */
  start(): void {
    this.#background('issue');
  }

  stop(): void {
    this.#abort.abort();
    this.#timer?.cancel();
  }

  /** When the current token expires (ms since epoch), if there is one. */
  get expiresAt(): number | undefined {
    return this.#held?.expiresAt;
  }

  /** A token that is valid now: the held one, or a new one (one attempt, shared by concurrent callers). */
  async get(): Promise<string> {
    const h = this.#held;
    if (
      h &&
      this.#o.clock.now() < h.expiresAt - Math.min(5_000, (h.expiresAt - h.obtainedAt) / 10)
    ) {
      return h.token;
    }
    return this.#attempt('issue');
  }

  /**
   * Runs `fn` with a valid token. If the SSE rejects the token (invalid, expired) a fresh one is
   * fetched and `fn` runs once more; the same if the certificate changed while `fn` ran.
   */
  async withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    const gen = this.#o.generation?.();
    const token = await this.get();
    try {
      return await fn(token);
    } catch (err) {
      if (isTokenRejected(err)) {
        this.#o.logger.info(
          { [LogField.code]: (err as SseApiError).code },
          'access token refused; getting a new one',
        );
        if (this.#held?.token === token) this.#held = undefined;
        return fn(await this.#attempt('issue'));
      }
      if (isCertificateRevoked(err) && gen !== this.#o.generation?.()) {
        // The request went out with the certificate a renewal just replaced.
        return fn(await this.get());
      }
      throw err;
    }
  }

  /** Gets a new token now through /token (after the client certificate changed). */
  async reissue(): Promise<void> {
    this.#held = undefined;
    await this.#attempt('issue');
  }

  /** One request for a token; concurrent callers share it. Stores the token and schedules its refresh. */
  #attempt(how: 'issue' | 'refresh'): Promise<string> {
    if (this.#inflight) return this.#inflight;
    const gen = this.#o.generation?.();
    const p = (async () => {
      const current = this.#held?.token;
      let res: TokenResponse;
      let used: 'issue' | 'refresh' = how;
      try {
        if (how === 'refresh' && current) {
          try {
            res = await this.#o.client.refresh(current);
          } catch (err) {
            if (!isTokenRejected(err)) throw err;
            // The held token is no longer accepted (expired meanwhile): start over.
            used = 'issue';
            res = await this.#o.client.token();
          }
        } else {
          used = 'issue';
          res = await this.#o.client.token();
        }
      } catch (err) {
        this.#o.metrics.tokenRefreshes.inc({ how: used, result: 'error' });
        if (isCertificateRevoked(err) && gen === this.#o.generation?.()) this.#o.onPermanent(err);
        throw err;
      }
      this.#secret.set(res.accessToken);
      const now = this.#o.clock.now();
      this.#held = {
        token: res.accessToken,
        obtainedAt: now,
        expiresAt: now + res.expiresIn * 1000,
      };
      this.#o.metrics.tokenRefreshes.inc({ how: used, result: 'success' });
      this.#o.metrics.tokenExpiry.set(Math.floor(this.#held.expiresAt / 1000));
      this.#schedule(res.expiresIn * 1000);
      this.#o.logger.debug({ how: used, expiresIn: res.expiresIn }, 'access token obtained');
      return res.accessToken;
    })();
    this.#inflight = p;
    void p.then(
      () => {
        this.#inflight = undefined;
      },
      () => {
        this.#inflight = undefined;
      },
    );
    return p;
  }

  #schedule(lifetimeMs: number): void {
    if (this.#abort.signal.aborted) return;
    this.#timer?.cancel();
    const delay = refreshDelay(
      lifetimeMs,
      this.#o.refreshAt ?? 0.8,
      this.#o.jitter ?? 0.1,
      this.#o.random,
    );
    this.#timer = this.#o.clock.setTimer(() => this.#background('refresh'), delay);
  }

  /** Keeps trying (with backoff) until a token is obtained or the manager stops. */
  #background(how: 'issue' | 'refresh'): void {
    if (this.#loop) return;
    this.#loop = retry(() => this.#attempt(this.#held ? how : 'issue'), {
      clock: this.#o.clock,
      random: this.#o.random,
      backoff: this.#o.backoff,
      signal: this.#abort.signal,
      onRetry: logRetries(this.#o.logger, 'could not get an access token; retrying'),
    })
      .then(
        () => undefined,
        (err: unknown) => {
          if (err instanceof AbortedError || isCertificateRevoked(err)) return;
          this.#o.logger.error({ err }, 'could not get an access token');
          // A permanent answer other than revocation (a bad response): try again later rather
          // than never.
          this.#timer = this.#o.clock.setTimer(
            () => this.#background('issue'),
            this.#o.backoff.maxMs,
          );
        },
      )
      .finally(() => {
        this.#loop = undefined;
      });
  }
}
