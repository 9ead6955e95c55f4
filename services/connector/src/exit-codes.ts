import { EXIT_CONFIG } from '@pa-connector/config';

/**
 * Exit codes of the connector (sysexits-style, one per class of permanent failure) so an
 * operator or a supervisor can tell why it stopped without reading logs. Documented in README.md.
 */
export const ExitCode = {
  /** Stopped by SIGTERM/SIGINT. */
  ok: 0,
  /** An unexpected internal error. */
  internal: 1,
  /** The provisioning key is malformed, or the SSE does not know it. */
  keyInvalid: 65,
  /** The provisioning key has been used as many times as its group allows. */
  keyExhausted: 66,
  /** The provisioning key was revoked. */
  keyRevoked: 67,
  /** The provisioning key is past its expiry. */
  keyExpired: 68,
  /** The SSE answered with something that breaks the API contract (e.g. no certificate). */
  badSseResponse: 69,
  /** The SSE refused the enrollment request itself (invalid CSR or request). */
  enrollmentRefused: 70,
  /** The identity in the data directory is unusable (key does not match certificate, files missing). */
  identityCorrupt: 71,
  /** The SSE revoked this connector's certificate (connector removed). */
  certificateRevoked: 72,
  /** The data directory cannot be created or written. */
  dataDirUnusable: 73,
  /** A setting is missing or wrong (also: PA_POP names a PoP the SSE does not have). */
  config: EXIT_CONFIG,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
