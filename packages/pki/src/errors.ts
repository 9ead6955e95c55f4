import { CodedError } from '@pa-connector/config';
/** Stable codes of PkiError. */
export type PkiErrorCode =
  | 'invalid_csr'
  | 'invalid_certificate'
  | 'invalid_key'
  | 'invalid_argument';

/** A bad input to a PKI operation. Retrying with the same input cannot help. */
export class PkiError extends CodedError {
  declare readonly code: PkiErrorCode;
  declare readonly retryable: false;

  constructor(code: PkiErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PkiError';
  }
}
