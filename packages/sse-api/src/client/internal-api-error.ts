import { CodedError } from '@pa-connector/config';

/**
 * A call of the connector's internal API that did not get through (an `InternalApiFailure`
 * thrown). Each POP service throws its own subclass, named for what it was sending.
 */
export class InternalApiError extends CodedError {
  constructor(
    /** Stable: connector_unreachable, the caller's timeout code, not_enrolled, sse_unavailable, http_<status>, ... */
    code: string,
    message: string,
    /** Whether sending (the same or a newer body) later can help. */
    retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...options, retryable });
  }
}
