/** Stable codes of PkiError. */
export type PkiErrorCode =
  | 'invalid_csr'
  | 'invalid_certificate'
  | 'invalid_key'
  | 'invalid_argument';

/** A bad input to a PKI operation. Retrying with the same input cannot help. */
export class PkiError extends Error {
  readonly code: PkiErrorCode;
  readonly retryable = false as const;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PkiError';
    this.code = code;
  }
}
