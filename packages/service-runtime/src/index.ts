export {
  BestEffortWriter,
  type BestEffortWriterOptions,
  type BestEffortWriterStats,
  type RedisWrite,
  WRITER_DEFAULTS,
} from './best-effort-writer';
export {
  type Clock,
  clockFrom,
  MAX_TIMER_HOP_MS,
  nodeTimerSource,
  type Random,
  repeatEvery,
  systemClock,
  type TimerHandle,
  type TimerSource,
} from './clock';
export { closeKeepAlivePlugin } from './close-keep-alive';
export { type CommonConfig, commonSettings, DEFAULT_HTTP_PORTS } from './common-settings';
export { type HeartbeatHandle, type HeartbeatOptions, startHeartbeat } from './heartbeat';
export {
  describeValidation,
  ERROR_RESPONSES,
  ErrorBody,
  errorBody,
  HttpErrorCode,
  type HttpErrorOptions,
  httpErrorHandler,
  httpErrorsPlugin,
  schemaErrorFormatter,
} from './http-errors';
export { loadServiceConfig } from './load-service-config';
export {
  type Listening,
  type ListenOptions,
  type MemberBase,
  type MemberBaseOptions,
  type MemberConfig,
  startMemberBase,
} from './member-base';
export { METRICS_PATH, type PopMemberOptions, popMemberPlugin } from './pop-member-plugin';
export { HealthzAnswer, ReadinessCheckReport, ReadyAnswer } from './probe-contracts';
export { ProcessFaults, UNHANDLED_REJECTIONS_METRIC } from './process-faults';
export { type ReadinessCheck, type ReadinessReport, readiness, redisReadiness } from './readiness';
export { createRedis, duplicateRedis, type Redis, type RedisClientConfig } from './redis-client';
export { REDIS_DEFAULTS } from './redis-defaults';
export { type BackoffPolicy, backoffDelay, backoffStep } from './retry/backoff';
export { logRetries } from './retry/log-retries';
export { retry } from './retry/retry';
export { RetryTimer } from './retry/retry-timer';
export { AbortedError, sleep } from './retry/sleep';
export { missingSchemas, RouteSchemaMissing, requireRouteSchemas } from './route-schemas';
export { type MemberServiceOptions, runMemberService } from './run-member-service';
export {
  exitCodeFor,
  type Running,
  type RunServiceOptions,
  runService,
  type StartContext,
  type Started,
} from './run-service';
export { ServiceExit } from './service-exit';
export { createServiceServer, type ServiceServerOptions } from './service-server';
export { startTrialRun, type TrialProbe } from './trial-run';
export { PA_VERSION } from './version';
