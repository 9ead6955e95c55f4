import { CodedError } from '@pa-connector/config';
import type { SseEndpoint } from '../routes';

/** Codes the client itself gives to failures that carry no SSE error body. */
export const ClientErrorCode = {
  /** The connection failed or was cut before a response (refused, reset, TLS, proxy). */
  network: 'network_error',
  /** No complete response within the request timeout. */
  timeout: 'timeout',
  /** An HTTP error status without a `{error:{code,message}}` body. */
  httpStatus: 'http_error',
  /** A success status whose body is not what the route promises. */
  badResponse: 'bad_response',
} as const;

/**
 * Whether trying again (later, or at another SSE URL) can help: server errors, 429, network
 * errors and timeouts can; anything else the SSE said about the request itself cannot.
 */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status >= 500 || status === 429 || status === 408;
}

/** The SSE refused a request, or could not be reached. `status` is undefined when no response came. */
export class SseApiError extends CodedError {
  /** The SSE base URL the last attempt went to. */
  readonly url: string | undefined;

  constructor(
    readonly endpoint: SseEndpoint,
    readonly status: number | undefined,
    code: string,
    message: string,
    options?: { cause?: unknown; url?: string },
  ) {
    super(code, message, { cause: options?.cause, retryable: isRetryableStatus(status) });
    this.name = 'SseApiError';
    this.url = options?.url;
  }
}

/**
 * The SSE answered with a success status but the body breaks the contract (not JSON, a required
 * field missing or of the wrong type). Permanent: the same SSE will answer the same way.
 */
export class SseProtocolError extends CodedError {
  declare readonly code: typeof ClientErrorCode.badResponse;
  declare readonly retryable: false;
  readonly url: string | undefined;

  constructor(
    readonly endpoint: SseEndpoint,
    message: string,
    options?: { cause?: unknown; url?: string },
  ) {
    super(ClientErrorCode.badResponse, message, { cause: options?.cause });
    this.name = 'SseProtocolError';
    this.url = options?.url;
  }
}

/** A bad client option (proxy URL, no-proxy entry). */
export class SseClientConfigError extends CodedError {
  declare readonly code: 'client_config_invalid';
  declare readonly retryable: false;

  constructor(message: string) {
    super('client_config_invalid', message);
    this.name = 'SseClientConfigError';
  }
}
