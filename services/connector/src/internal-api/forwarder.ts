import type { Logger } from '@pa-connector/logger';
import { type BackoffPolicy, logRetries, retry } from '@pa-connector/service-runtime';
import type {
  AcceptedResponse,
  GroupInfo,
  LogBatch,
  PopStatusReport,
  ReleaseManifest,
  SseClient,
  UpdateSlotGrant,
  UpdateSlotReleaseRequest,
  UpdateSlotReleaseResponse,
  UpdateSlotRequest,
} from '@pa-connector/sse-api';
import type { TokenManager } from '../auth/token-manager';
import type { Clock, Random } from '../clock';

export interface ForwarderOptions {
  client: Pick<
    SseClient,
    'popStatus' | 'release' | 'logs' | 'group' | 'updateSlot' | 'updateSlotRelease'
  >;
  tokens: Pick<TokenManager, 'withToken'>;
  clock: Clock;
  random: Random;
  /** Whole calls (each already failing over across the SSE URLs). */
  attempts: number;
  backoff: BackoffPolicy;
  logger: Logger;
}

/**
 * What the internal API does with a request: the SSE call with the connector's token, retried
 * (each try fails over across every SSE URL) a bounded number of times so callers get an
 * answer, not a hang.
 */
export class SseForwarder {
  readonly #o: ForwarderOptions;

  constructor(o: ForwarderOptions) {
    this.#o = o;
  }

  popStatus(status: PopStatusReport): Promise<AcceptedResponse> {
    return this.#call('popStatus', (t) => this.#o.client.popStatus(status, t));
  }

  release(): Promise<ReleaseManifest> {
    return this.#call('release', (t) => this.#o.client.release(t));
  }

  logs(batch: LogBatch): Promise<AcceptedResponse> {
    return this.#call('logs', (t) => this.#o.client.logs(batch, t));
  }

  group(): Promise<GroupInfo> {
    return this.#call('group', (t) => this.#o.client.group(t));
  }

  updateSlot(req: UpdateSlotRequest): Promise<UpdateSlotGrant> {
    return this.#call('updateSlot', (t) => this.#o.client.updateSlot(req, t));
  }

  updateSlotRelease(req: UpdateSlotReleaseRequest): Promise<UpdateSlotReleaseResponse> {
    return this.#call('updateSlotRelease', (t) => this.#o.client.updateSlotRelease(req, t));
  }

  #call<T>(what: string, fn: (token: string) => Promise<T>): Promise<T> {
    return retry(() => this.#o.tokens.withToken(fn), {
      clock: this.#o.clock,
      random: this.#o.random,
      backoff: this.#o.backoff,
      maxAttempts: this.#o.attempts,
      onRetry: logRetries(this.#o.logger, 'forwarding to the SSE failed; retrying', {
        route: what,
      }),
    });
  }
}
