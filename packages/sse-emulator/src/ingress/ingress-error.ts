import { CodedError } from '@pa-connector/config';
/** Why one attempt through a tunnel failed (or a user's request head could not be read). */
export type IngressErrorCode =
  | 'head_timeout'
  | 'head_too_large'
  | 'closed'
  | 'relay_unreachable'
  | 'relay_refused'
  | 'proxy_no_answer'
  | 'proxy_bad_answer';

/**
 * A failure on the way to a connector's proxy. `retryable`: another tunnel may well work (the
 * ingress fails over to the next candidate once).
 */
export class IngressError extends CodedError {
  declare readonly code: IngressErrorCode;

  constructor(
    code: IngressErrorCode,
    message: string,
    retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(code, message, { ...options, retryable });
    this.name = 'IngressError';
  }
}
