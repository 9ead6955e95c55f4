import {
  type InternalApiPostOptions,
  InternalApiRoutes,
  type PopStatusReport,
  postInternalApi,
} from '@pa-connector/sse-api/internal-api';
import { PushError } from './push-error';

export type InternalApiClientOptions = InternalApiPostOptions;

/** pop-manager's side of the connector's internal API: POST the POP status. */
export class InternalApiClient {
  readonly #o: InternalApiClientOptions;

  constructor(o: InternalApiClientOptions) {
    this.#o = o;
  }

  /** Resolves when the connector (and through it the SSE) accepted it; throws PushError. */
  async popStatus(status: PopStatusReport): Promise<void> {
    const f = await postInternalApi(this.#o, InternalApiRoutes.popStatus, status, 'push_timeout');
    if (f) throw new PushError(f.code, f.message, f.retryable, f.status, { cause: f.cause });
  }
}
