/** A push of the POP status that did not get through. */
export class PushError extends Error {
  constructor(
    /** Stable: connector_unreachable, push_timeout, not_enrolled, sse_unavailable, http_<status>, ... */
    readonly code: string,
    message: string,
    /** Whether sending (a newer status) later can help. */
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PushError';
  }
}
