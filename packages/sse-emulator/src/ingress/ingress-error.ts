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
export class IngressError extends Error {
  constructor(
    readonly code: IngressErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IngressError';
  }
}
