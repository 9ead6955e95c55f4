import type { Connector } from '../transport/connect';
import type { ManagementTarget } from '../transport/target';
import type { Timers } from './timers';

/** Anything that reveals a secret on demand, such as `Secret` from a config loader. */
export interface SecretSource {
  reveal(): string;
}

export type ManagementClientOptions = ManagementTarget & {
  /**
   * The password from OpenVPN's `--management <host> <port> <pwfile>`, sent when OpenVPN prompts
   * `ENTER PASSWORD:`. Never logged nor put in error messages. Default: none.
   */
  password?: string | SecretSource;
  /** Per-command timeout, counted from the moment the command is queued. Default 10 000 ms. */
  commandTimeoutMs?: number;
  /** Budget for opening the socket, the password exchange and OpenVPN's greeting. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** A line longer than this closes the connection as a protocol error. Default 1 MiB. */
  maxLineLength?: number;
  /** Opens the stream. Default: Node's `net` (unix socket or TCP). */
  connector?: Connector;
  /** Timer functions. Default: the global ones, looked up at call time. */
  timers?: Timers;
};

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
