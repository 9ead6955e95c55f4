import {
  AppView,
  HostMetrics,
  PopManagerStatus,
  PushState,
  RecentError,
  ServiceHealth,
  TunnelState,
} from '@pa-connector/redis-contracts';
import { Type } from '@sinclair/typebox';
import { CliError } from './cli-error';
import { answerCheck } from './http/answer-check';

export interface ServiceEntry {
  name: string;
  status: string;
  version?: string;
  /** The version the update service would install, once it publishes one. */
  available?: string;
  started?: string;
  updated?: string;
  pid?: number;
  /** Why it is not up (one line). */
  reason?: string;
}

/** An app as pop-manager shows it: the health entry plus where it is reached. */
export type AppEntry = Partial<AppView>;

/**
 * pop-manager's `GET /status` as the CLI reads it: its own contract, with every field optional
 * but a service's `name`, so an older pop-manager (fields not there yet) or a newer one (fields
 * added, which the objects allow) still reads. A field that is there with a wrong type is a
 * `bad_answer` naming it.
 */
const StatusAsRead = Type.Partial(
  Type.Object({
    ...PopManagerStatus.properties,
    services: Type.Array(
      Type.Composite([Type.Pick(ServiceHealth, ['name']), Type.Partial(ServiceHealth)]),
    ),
    tunnels: Type.Array(Type.Partial(TunnelState)),
    apps: Type.Array(Type.Partial(AppView)),
    host: Type.Partial(HostMetrics),
    recentErrors: Type.Array(Type.Partial(RecentError)),
    push: Type.Partial(PushState),
  }),
);
const checkStatus = answerCheck(StatusAsRead, 'pop-manager /status');

/** pop-manager's `GET /status`, with what the CLI shows pulled out of it. */
export interface PopStatus {
  hostname?: string;
  reportedAt?: string;
  version?: string;
  services: ServiceEntry[];
  tunnels: Partial<TunnelState>[];
  apps: AppEntry[];
  host?: Record<string, unknown>;
  recentErrors: Record<string, unknown>[];
  push?: Record<string, unknown>;
  /** Parts pop-manager could not read this time (e.g. Redis unreachable). */
  collectErrors: string[];
  /** What the update service is doing (`idle`, `updating`, ...), when it has said. */
  updateState?: string;
  /** The update service's one line about it (e.g. why a manual upgrade is required). */
  updateMessage?: string;
  /** Release offered by the update service, when pop-manager relays it. */
  available?: string;
  /** The version the update service compares with the manifest (its own, the POP's). */
  updateRunning?: string;
  /** The oldest version the release lets upgrade itself, when the manifest names one. */
  minAutoUpgradeVersion?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/**
 * The available version wherever it may be: on the entry itself, or in the update service's
 * status hash that pop-manager relays as `update` (`{state, available, ...}`).
 */
function availableOf(v: Obj): string | undefined {
  const u = isObj(v.update) ? v.update : undefined;
  return (
    str(v.available) ?? str(v.availableVersion) ?? str(u?.available) ?? str(u?.availableVersion)
  );
}

export function readPopStatus(body: unknown): PopStatus {
  if (!isObj(body)) {
    throw new CliError('bad_answer', 'pop-manager /status is not a JSON object');
  }
  const status = checkStatus(body);
  const services = (status.services ?? [])
    .filter((s) => s.name !== '')
    .map(
      (s): ServiceEntry => ({
        name: s.name,
        status: str(s.status) ?? 'unknown',
        ...(str(s.version) ? { version: s.version } : {}),
        ...(availableOf(s) ? { available: availableOf(s) } : {}),
        ...(str(s.started) ? { started: s.started } : {}),
        ...(str(s.updated) ? { updated: s.updated } : {}),
        ...(s.pid !== undefined ? { pid: s.pid } : {}),
        ...(str(s.reason) ? { reason: s.reason } : {}),
      }),
    );
  const update = status.update;
  return {
    ...(str(status.hostname) ? { hostname: status.hostname } : {}),
    ...(str(status.reportedAt) ? { reportedAt: status.reportedAt } : {}),
    ...(str(status.version) ? { version: status.version } : {}),
    services,
    tunnels: status.tunnels ?? [],
    apps: status.apps ?? [],
    ...(status.host ? { host: status.host } : {}),
    recentErrors: status.recentErrors ?? [],
    ...(status.push ? { push: status.push } : {}),
    collectErrors: status.collectErrors ?? [],
    ...(availableOf(body) ? { available: availableOf(body) } : {}),
    ...(str(update?.state) ? { updateState: update?.state } : {}),
    ...(str(update?.message) ? { updateMessage: update?.message } : {}),
    ...(str(update?.running) ? { updateRunning: update?.running } : {}),
    ...(str(update?.minAutoUpgradeVersion)
      ? { minAutoUpgradeVersion: update?.minAutoUpgradeVersion }
      : {}),
  };
}
