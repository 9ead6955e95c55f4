export interface CodedErrorOptions {
  /** The error this one explains (a socket error under a request failure, ...). */
  cause?: unknown;
  /** Whether trying again later can help; false unless the thrower knows it can. */
  retryable?: boolean;
}

/**
 * The base of our errors: a stable `code` for programs (metrics, answers, exit codes), a
 * `retryable` flag that retry decisions read instead of the message, and the `cause`. The
 * message is for people and may change.
 */
export class CodedError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: CodedErrorOptions = {}) {
    // No `cause` key at all when there is none, so it is not shown as `cause: undefined`.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}
