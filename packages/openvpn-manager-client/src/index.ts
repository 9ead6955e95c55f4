// The public API: the client, its options and errors, and the types of what it returns and
// emits. Parsers and the command queue stay internal so they can change without a major version.
export type { LateReply } from './client/command-queue';
export type {
  CloseEvent,
  CloseReason,
  ManagementEventName,
  ManagementEvents,
} from './client/events';
export {
  type AuthRetryMode,
  type CommandOptions,
  type HistoryMode,
  type LoadStats,
  ManagementClient,
  type Signal,
} from './client/management-client';
export type { ManagementClientOptions, SecretSource } from './client/options';
export type { Timers } from './client/timers';
export {
  ErrorCode,
  isManagementError,
  ManagementError,
  type ManagementErrorDetails,
} from './errors';
export type { ClientEvent, ClientEventKind } from './protocol/client-notification';
export type { EchoEntry, LogEntry } from './protocol/history';
export type {
  ByteCountEvent,
  ClientByteCountEvent,
  HoldEvent,
  MessageEvent,
  NeedEvent,
  ProxyEvent,
  RawNotification,
  RemoteEvent,
} from './protocol/notification';
export type { DynamicChallenge, PasswordEvent, StaticChallenge } from './protocol/password';
export type { ReplyShape } from './protocol/reply';
export type { KnownOpenVpnState, OpenVpnState, StateEntry } from './protocol/state';
export type { StatusClient, StatusReport, StatusRoute } from './protocol/status';
export type { VersionInfo } from './protocol/version';
export type { Connector } from './transport/connect';
export type { ManagementTarget } from './transport/target';
