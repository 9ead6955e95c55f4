import { type Static, Type } from '@sinclair/typebox';
import { AppStatus, ServerHealth } from './app-health';
import { HeartbeatStatus } from './messages';
import { TunnelState } from './tunnel-state';

/**
 * pop-manager's view of the POP: what `GET /status` answers, what is stored under `popStatus()`
 * and (without `push`) what the SSE receives. The operator CLI reads it: change it only by
 * adding optional fields.
 */

/**
 * up: beating; stale: its latest beat is too old, or it said it is stopping; down: no heartbeat
 * (never written, or expired); unknown: Redis could not be read.
 */
export const ServiceStatus = Type.Union(
  (['up', 'stale', 'down', 'unknown'] as const).map((s) => Type.Literal(s)),
);
export type ServiceStatus = Static<typeof ServiceStatus>;

export const ServiceHealth = Type.Object({
  name: Type.String(),
  status: ServiceStatus,
  /** Why it is not up (one line). */
  reason: Type.Optional(Type.String()),
  /** What the service itself says in its heartbeat. */
  state: Type.Optional(HeartbeatStatus),
  version: Type.Optional(Type.String()),
  /** ISO time the process started. */
  started: Type.Optional(Type.String()),
  /** ISO time of its latest beat. */
  updated: Type.Optional(Type.String()),
  pid: Type.Optional(Type.Number()),
  host: Type.Optional(Type.String()),
  /** How old the latest beat is. */
  ageMs: Type.Optional(Type.Number()),
  /** The service's heartbeat interval (read from the heartbeat's TTL). */
  intervalMs: Type.Optional(Type.Number()),
});
export type ServiceHealth = Static<typeof ServiceHealth>;

/** An app as the status shows it: its catalog entry with the connector's latest health. */
export const AppView = Type.Object({
  appId: Type.String(),
  name: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  port: Type.Optional(Type.Number()),
  /** `unknown`: in the catalog but not probed yet. */
  status: Type.Union([AppStatus, Type.Literal('unknown')]),
  since: Type.Optional(Type.String()),
  servers: Type.Array(ServerHealth),
  /** Health reported for an app the current catalog no longer has. */
  notInCatalog: Type.Optional(Type.Literal(true)),
});
export type AppView = Static<typeof AppView>;

export const LoadAverage = Type.Object({
  one: Type.Number(),
  five: Type.Number(),
  fifteen: Type.Number(),
});
export type LoadAverage = Static<typeof LoadAverage>;

export const HostMetrics = Type.Object({
  /** Busy share of all CPUs since the previous sample (0-100); null on the first sample. */
  cpuPercent: Type.Union([Type.Number(), Type.Null()]),
  cpuCount: Type.Number(),
  memory: Type.Union([
    Type.Object({
      totalBytes: Type.Number(),
      availableBytes: Type.Number(),
      usedPercent: Type.Number(),
    }),
    Type.Null(),
  ]),
  /** Like df: used / (used + available to users). */
  disk: Type.Union([
    Type.Object({
      path: Type.String(),
      totalBytes: Type.Number(),
      usedBytes: Type.Number(),
      availableBytes: Type.Number(),
      usedPercent: Type.Number(),
    }),
    Type.Null(),
  ]),
  load: Type.Union([LoadAverage, Type.Null()]),
  uptimeSeconds: Type.Union([Type.Number(), Type.Null()]),
  /** One line per part that could not be read (that part is null). */
  errors: Type.Array(Type.String()),
});
export type HostMetrics = Static<typeof HostMetrics>;

/** One error or fatal log line of a POP service, as the status shows it. */
export const RecentError = Type.Object({
  /** The Redis stream id of the line (also the `logId` in the logging service's files). */
  logId: Type.String(),
  /** ISO time the line was logged. */
  time: Type.String(),
  service: Type.String(),
  level: Type.Union([Type.Literal('error'), Type.Literal('fatal')]),
  msg: Type.String(),
  /** The component that logged it, when it says. */
  component: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
  /** The error's own message, when one was logged. */
  error: Type.Optional(Type.String()),
});
export type RecentError = Static<typeof RecentError>;

/** Where pushing the status to the SSE stands. */
export const PushState = Type.Object({
  /** ISO time of the last status the connector accepted. */
  lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
  /** The last failure (code and message), cleared by a success. */
  lastError: Type.Union([
    Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() }),
    Type.Null(),
  ]),
  /** A status is waiting to be delivered (a newer one replaces it). */
  pending: Type.Boolean(),
});
export type PushState = Static<typeof PushState>;

export const PopManagerStatus = Type.Object({
  hostname: Type.String(),
  reportedAt: Type.String(),
  /** pop-manager's own version (each service's is in `services`). */
  version: Type.String(),
  services: Type.Array(ServiceHealth),
  tunnels: Type.Array(TunnelState),
  apps: Type.Array(AppView),
  host: HostMetrics,
  recentErrors: Type.Array(RecentError),
  /** The update service's status hash as it wrote it (e.g. the release it offers), when present. */
  update: Type.Optional(Type.Record(Type.String(), Type.String())),
  push: PushState,
  /** What could not be read this time (e.g. Redis unreachable), one line each. */
  collectErrors: Type.Array(Type.String()),
});
export type PopManagerStatus = Static<typeof PopManagerStatus>;
