/** A log batch the connector did not accept. */
export class ForwardError extends Error {
  constructor(
    /** Stable: connector_unreachable, forward_timeout, not_enrolled, sse_unavailable, http_<status>, ... */
    readonly code: string,
    message: string,
    /** Whether sending the same batch again later can help. */
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ForwardError';
  }
}
