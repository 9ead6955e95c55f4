export type DnsErrorCode = 'dns_timeout' | 'dns_not_found' | 'dns_failed';

const RETRYABLE: Record<DnsErrorCode, boolean> = {
  dns_timeout: true,
  dns_not_found: false,
  dns_failed: true,
};

/** A name that could not be resolved: no answer in time, no such name, or a server error. */
export class DnsError extends Error {
  readonly code: DnsErrorCode;
  readonly retryable: boolean;

  constructor(code: DnsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DnsError';
    this.code = code;
    this.retryable = RETRYABLE[code];
  }
}
