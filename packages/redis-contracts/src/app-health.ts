/** Up: every server answers; Unhealthy: some do; Down: none does (or no probe has passed yet). */
export type AppStatus = 'up' | 'unhealthy' | 'down';

export interface ServerHealth {
  /** host:port as in the catalog (IPv6 hosts in brackets). */
  server: string;
  up: boolean;
  /** ISO time of the latest probe. */
  checkedAt: string;
  /** Consecutive failed probes. */
  failures: number;
  latencyMs?: number;
  /** Why the latest probe failed (one line). */
  error?: string;
}

/** One app, as stored (JSON) under its id in the `appHealth()` hash. */
export interface AppHealth {
  appId: string;
  status: AppStatus;
  /** ISO time the status last changed. */
  since: string;
  servers: ServerHealth[];
}

const STATUSES: readonly AppStatus[] = ['up', 'unhealthy', 'down'];

export function encodeAppHealth(a: AppHealth): string {
  return JSON.stringify(a);
}

/** Undefined when the text is not an app health entry. */
export function decodeAppHealth(text: string): AppHealth | undefined {
  try {
    const v = JSON.parse(text) as Partial<AppHealth>;
    if (
      typeof v.appId !== 'string' ||
      typeof v.since !== 'string' ||
      !STATUSES.includes(v.status as AppStatus) ||
      !Array.isArray(v.servers)
    ) {
      return undefined;
    }
    return v as AppHealth;
  } catch {
    return undefined;
  }
}
