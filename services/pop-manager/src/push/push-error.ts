import { CodedError } from '@pa-connector/config';
/** A push of the POP status that did not get through. */
export class PushError extends CodedError {
  constructor(
    /** Stable: connector_unreachable, push_timeout, not_enrolled, sse_unavailable, http_<status>, ... */
    code: string,
    message: string,
    /** Whether sending (a newer status) later can help. */
    retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...options, retryable });
    this.name = 'PushError';
  }
}
