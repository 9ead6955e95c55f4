export {
  ClientErrorCode,
  isRetryableStatus,
  SseApiError,
  SseClientConfigError,
  SseProtocolError,
} from './errors';
export * from './internal-api-call';
export * from './internal-api-error';
export { type NoProxyList, parseNoProxy } from './no-proxy';
export type { UrlStateEvent } from './pools/url-pool';
export { type ProxySettings, parseProxyUrl, redactProxyUrl } from './proxy';
export {
  readAccepted,
  readCatalogResponse,
  readGroupInfo,
  readRegisterResponse,
  readReleaseManifest,
  readRenewResponse,
  readTokenResponse,
  readUpdateSlotGrant,
  readUpdateSlotRelease,
} from './read-answer';
export {
  type AttemptEvent,
  type CatalogResult,
  type ClientIdentity,
  type ClientTls,
  type DispatcherKind,
  SseClient,
  type SseClientOptions,
  type UrlStateChange,
} from './sse-client';
