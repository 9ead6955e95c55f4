export type { CommandSpec, LateReply } from './client/command-queue';
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
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type ManagementClientOptions,
  type SecretSource,
} from './client/options';
export { systemTimers, type Timers } from './client/timers';
export {
  ErrorCode,
  isManagementError,
  ManagementError,
  type ManagementErrorDetails,
} from './errors';
export {
  type ClientEvent,
  type ClientEventKind,
  ClientNotificationAssembler,
} from './protocol/client-notification';
export { type EchoEntry, type LogEntry, parseEchoEntry, parseLogEntry } from './protocol/history';
export { LineSplitter, PASSWORD_PROMPT, type SplitItem } from './protocol/line-splitter';
export {
  type ByteCountEvent,
  type ClientByteCountEvent,
  type DecodedNotification,
  decodeNotification,
  type HoldEvent,
  type MessageEvent,
  type NeedEvent,
  type ProxyEvent,
  type RawNotification,
  type RemoteEvent,
  splitNotification,
} from './protocol/notification';
export {
  type DynamicChallenge,
  type PasswordEvent,
  parsePasswordPayload,
  type StaticChallenge,
} from './protocol/password';
export { quoteArgument } from './protocol/quote';
export type { ReplyShape } from './protocol/reply';
export {
  type KnownOpenVpnState,
  OPENVPN_STATES,
  type OpenVpnState,
  parseStateEntry,
  type StateEntry,
} from './protocol/state';
export {
  parseStatus,
  type StatusClient,
  type StatusReport,
  type StatusRoute,
} from './protocol/status';
export { parseVersion, type VersionInfo } from './protocol/version';
export { type Connector, netConnector } from './transport/connect';
export { describeTarget, type ManagementTarget } from './transport/target';
