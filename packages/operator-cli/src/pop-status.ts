import type { AppHealth, TunnelState } from '@pa-connector/redis-contracts';
import { CliError } from './cli-error';

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
export type AppEntry = Partial<AppHealth> & { name?: string; host?: string; port?: number };

/**
 * pop-manager's `GET /status`, read tolerantly: every field may be missing (an older or newer
 * pop-manager), list items that are not objects are dropped.
 */
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
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

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
  const services = objects(body.services)
    .filter((s) => str(s.name))
    .map(
      (s): ServiceEntry => ({
        name: s.name as string,
        status: str(s.status) ?? 'unknown',
        ...(str(s.version) ? { version: s.version as string } : {}),
        ...(availableOf(s) ? { available: availableOf(s) } : {}),
        ...(str(s.started) ? { started: s.started as string } : {}),
        ...(str(s.updated) ? { updated: s.updated as string } : {}),
        ...(typeof s.pid === 'number' ? { pid: s.pid } : {}),
        ...(str(s.reason) ? { reason: s.reason as string } : {}),
      }),
    );
  return {
    ...(str(body.hostname) ? { hostname: body.hostname as string } : {}),
    ...(str(body.reportedAt) ? { reportedAt: body.reportedAt as string } : {}),
    ...(str(body.version) ? { version: body.version as string } : {}),
    services,
    tunnels: objects(body.tunnels) as Partial<TunnelState>[],
    apps: objects(body.apps) as AppEntry[],
    ...(isObj(body.host) ? { host: body.host } : {}),
    recentErrors: objects(body.recentErrors),
    ...(isObj(body.push) ? { push: body.push } : {}),
    collectErrors: Array.isArray(body.collectErrors)
      ? body.collectErrors.filter((e): e is string => typeof e === 'string')
      : [],
    ...(availableOf(body) ? { available: availableOf(body) } : {}),
    ...(isObj(body.update) && str(body.update.state)
      ? { updateState: body.update.state as string }
      : {}),
    ...(isObj(body.update) && str(body.update.message)
      ? { updateMessage: body.update.message as string }
      : {}),
  };
}
