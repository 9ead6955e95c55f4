import {
  type InternalApiPostOptions,
  InternalApiRoutes,
  type LogBatch,
  postInternalApi,
} from '@pa-connector/sse-api/internal-api';
import { ForwardError } from './forward-error';

export type LogsApiClientOptions = InternalApiPostOptions;

/** The logging service's side of the connector's internal API: POST a batch of log entries. */
export class LogsApiClient {
  readonly #o: LogsApiClientOptions;

  constructor(o: LogsApiClientOptions) {
    this.#o = o;
  }

  /**
   * Resolves when the connector (and through it the SSE) accepted it; throws ForwardError. A 4xx
   * other than 408/429 is not retryable: that batch will never be accepted.
   */
  async logs(batch: LogBatch): Promise<void> {
    const f = await postInternalApi(this.#o, InternalApiRoutes.logs, batch, 'forward_timeout');
    if (f) throw new ForwardError(f.code, f.message, f.retryable, f.status, { cause: f.cause });
  }
}
