import { CodedError } from '@pa-connector/config';
export type DnsErrorCode = 'dns_timeout' | 'dns_not_found' | 'dns_failed';

const RETRYABLE: Record<DnsErrorCode, boolean> = {
  dns_timeout: true,
  dns_not_found: false,
  dns_failed: true,
};

/** A name that could not be resolved: no answer in time, no such name, or a server error. */
export class DnsError extends CodedError {
  declare readonly code: DnsErrorCode;

  constructor(code: DnsErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, retryable: RETRYABLE[code] });
    this.name = 'DnsError';
  }
}
