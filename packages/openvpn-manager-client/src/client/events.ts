import type { ClientEvent } from '../protocol/client-notification';
import type { EchoEntry, LogEntry } from '../protocol/history';
import type {
  ByteCountEvent,
  ClientByteCountEvent,
  HoldEvent,
  MessageEvent,
  NeedEvent,
  ProxyEvent,
  RawNotification,
  RemoteEvent,
} from '../protocol/notification';
import type { PasswordEvent } from '../protocol/password';
import type { StateEntry } from '../protocol/state';
import type { LateReply } from './command-queue';

/**
 * Why the connection ended:
 * - `client-closed`  close() was called;
 * - `quit`           quit()/exit() ended the session;
 * - `remote-closed`  OpenVPN closed the connection (it exited, or another client took over);
 * - `error`          a socket error (see `error`);
 * - `protocol-error` OpenVPN sent something unusable (see `error`).
 */
export type CloseReason = 'client-closed' | 'quit' | 'remote-closed' | 'error' | 'protocol-error';

export interface CloseEvent {
  reason: CloseReason;
  error: Error | undefined;
}

/** Listener arguments per event name, for the typed EventEmitter. */
export type ManagementEvents = {
  /** `>STATE:` (after `state on`). */
  state: [StateEntry];
  /** `>BYTECOUNT:` (client mode, after `bytecount n`). */
  bytecount: [ByteCountEvent];
  /** `>BYTECOUNT_CLI:` (server mode, after `bytecount n`), one per connected client. */
  bytecountClient: [ClientByteCountEvent];
  /** `>HOLD:` OpenVPN waits for holdRelease(). */
  hold: [HoldEvent];
  /** `>LOG:` (after `log on`). */
  log: [LogEntry];
  /** `>ECHO:` (after `echo on`). */
  echo: [EchoEntry];
  /** `>PASSWORD:` credentials needed, verification failed, or an auth token. */
  password: [PasswordEvent];
  /** `>INFO:` (the greeting, and informational messages). */
  info: [MessageEvent];
  /** `>FATAL:` sent just before OpenVPN exits. */
  fatal: [MessageEvent];
  /** `>NEED-OK:` answer with needOk(). */
  needOk: [NeedEvent];
  /** `>NEED-STR:` answer with needStr(). */
  needStr: [NeedEvent];
  /** `>REMOTE:` (--management-query-remote) answer with remote(). */
  remote: [RemoteEvent];
  /** `>PROXY:` (--management-query-proxy) answer with proxy() or proxyNone(). */
  proxy: [ProxyEvent];
  /** `>CLIENT:` (server with --management-client-auth), with its ENV block assembled. */
  client: [ClientEvent];
  /** Every real-time line, typed or not (PK_SIGN, NEED-CERTIFICATE, INFOMSG, NOTIFY, ...). */
  notification: [RawNotification];
  /** A reply that arrived after its command had timed out; it was dropped. */
  lateReply: [LateReply];
  /** A non-notification line no command was waiting for. */
  unexpectedLine: [string];
  /** Emitted once when an established connection ends; pending commands got ERR_CLOSED. */
  close: [CloseEvent];
};

export type ManagementEventName = keyof ManagementEvents;
