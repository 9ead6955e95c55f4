import { CodedError } from '@pa-connector/config';
import { SseErrorCode, SseErrorStatus } from '@pa-connector/sse-api';

/**
 * An error the emulator answers with `{error:{code,message}}`. The status comes from the
 * contract's table unless given (the admin API uses the same shape for its own errors).
 */
export class EmulatorError extends CodedError {
  declare readonly code: SseErrorCode;
  readonly statusCode: number;
  /** The code the answer's body carries: `code` unless a contract names its own. */
  readonly bodyCode: string;

  constructor(
    code: SseErrorCode,
    message: string,
    options?: { status?: number; cause?: unknown; bodyCode?: string },
  ) {
    const statusCode = options?.status ?? SseErrorStatus[code];
    // A client may retry only errors the server could stop making (5xx).
    super(code, message, { cause: options?.cause, retryable: statusCode >= 500 });
    this.name = 'EmulatorError';
    this.statusCode = statusCode;
    this.bodyCode = options?.bodyCode ?? code;
  }
}

export const invalidRequest = (message: string): EmulatorError =>
  new EmulatorError(SseErrorCode.invalidRequest, message);

export const notFound = (message: string): EmulatorError =>
  new EmulatorError(SseErrorCode.notFound, message);
