/**
 * Stable error codes. Callers branch on `code` (and `retryable`), never on the message text.
 *
 * - `ERR_MGMT_ERROR`       OpenVPN answered `ERROR: ...`; `managementMessage` holds its text.
 * - `ERR_TIMEOUT`          no complete answer within the command's timeout; `sent` says whether the
 *                          command had been written to OpenVPN (and so may still take effect).
 * - `ERR_CLOSED`           the connection is not open, or it closed before the answer arrived.
 * - `ERR_CONNECT`          the socket could not be opened, or OpenVPN sent no greeting in time.
 * - `ERR_PASSWORD`         the TCP management password was refused, or one is asked for and none
 *                          was configured.
 * - `ERR_PROTOCOL`         OpenVPN sent something this client cannot interpret as the expected answer.
 * - `ERR_INVALID_ARGUMENT` a method was called with a value the protocol cannot carry.
 */
export const ErrorCode = {
  MgmtError: 'ERR_MGMT_ERROR',
  Timeout: 'ERR_TIMEOUT',
  Closed: 'ERR_CLOSED',
  Connect: 'ERR_CONNECT',
  Password: 'ERR_PASSWORD',
  Protocol: 'ERR_PROTOCOL',
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Whether trying again (later, or on a new connection) can help, per code. */
const RETRYABLE: Record<ErrorCode, boolean> = {
  ERR_MGMT_ERROR: false,
  ERR_TIMEOUT: true,
  ERR_CLOSED: true,
  ERR_CONNECT: true,
  ERR_PASSWORD: false,
  ERR_PROTOCOL: false,
  ERR_INVALID_ARGUMENT: false,
};

export interface ManagementErrorDetails {
  cause?: unknown;
  /** The command as a safe label: its verb and non-secret arguments, never a password. */
  command?: string;
  /** The text after `ERROR:` in OpenVPN's reply (ERR_MGMT_ERROR only). */
  managementMessage?: string;
  /** ERR_TIMEOUT only: true when the command had already been written to OpenVPN. */
  sent?: boolean;
}

/** Every error this package throws or rejects with. Messages never contain passwords. */
export class ManagementError extends Error {
  override readonly name = 'ManagementError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly command: string | undefined;
  readonly managementMessage: string | undefined;
  readonly sent: boolean | undefined;

  constructor(code: ErrorCode, message: string, details: ManagementErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.retryable = RETRYABLE[code];
    this.command = details.command;
    this.managementMessage = details.managementMessage;
    this.sent = details.sent;
  }
}

export function isManagementError(value: unknown, code?: ErrorCode): value is ManagementError {
  return value instanceof ManagementError && (code === undefined || value.code === code);
}
