import { SseErrorCode, SseErrorStatus } from '@pa-connector/sse-api';

/**
 * An error the emulator answers with `{error:{code,message}}`. The status comes from the
 * contract's table unless given (the admin API uses the same shape for its own errors).
 */
export class EmulatorError extends Error {
  readonly code: SseErrorCode;
  readonly statusCode: number;
  /** A client may retry only errors the server could stop making (5xx). */
  readonly retryable: boolean;

  constructor(code: SseErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EmulatorError';
    this.code = code;
    this.statusCode = options?.status ?? SseErrorStatus[code];
    this.retryable = this.statusCode >= 500;
  }
}

export const invalidRequest = (message: string): EmulatorError =>
  new EmulatorError(SseErrorCode.invalidRequest, message);

export const notFound = (message: string): EmulatorError =>
  new EmulatorError(SseErrorCode.notFound, message);
