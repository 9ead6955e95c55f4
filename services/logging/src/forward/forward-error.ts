import { CodedError } from '@pa-connector/config';
/** A log batch the connector did not accept. */
export class ForwardError extends CodedError {
  constructor(
    /** Stable: connector_unreachable, forward_timeout, not_enrolled, sse_unavailable, http_<status>, ... */
    code: string,
    message: string,
    /** Whether sending the same batch again later can help. */
    retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...options, retryable });
    this.name = 'ForwardError';
  }
}
