import type { CliError } from '../cli-error';
import type { Endpoint } from '../http/get-json';
import { getJson } from '../http/get-json';
import { readPopStatus } from '../pop-status';

export interface AppServerTarget {
  app: string;
  host: string;
  port: number;
}

export interface AppServerList {
  servers: AppServerTarget[];
  /** Where the list came from, or why there is none. */
  source: string;
}

/** `host:port` or `[v6]:port` as the catalog writes a server. */
export function splitServer(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  return host && port >= 1 && port <= 65_535 ? { host, port } : undefined;
}

/**
 * The private apps' servers, from pop-manager's view of the catalog: the connector connects to
 * each of them. pop-manager down is not an error here, just a row that says so.
 */
export async function loadAppServers(ep: Endpoint, timeoutMs: number): Promise<AppServerList> {
  let apps: ReturnType<typeof readPopStatus>['apps'];
  try {
    apps = readPopStatus((await getJson(ep, '/status', { timeoutMs })).body).apps;
  } catch (err) {
    return { servers: [], source: (err as CliError).message };
  }
  const seen = new Set<string>();
  const servers: AppServerTarget[] = [];
  for (const a of apps) {
    for (const s of Array.isArray(a.servers) ? a.servers : []) {
      const where = typeof s?.server === 'string' ? splitServer(s.server) : undefined;
      if (!where || seen.has(`${where.host}|${where.port}`)) continue;
      seen.add(`${where.host}|${where.port}`);
      servers.push({ app: String(a.name ?? a.appId ?? '?'), ...where });
    }
  }
  return { servers, source: `${apps.length} apps from pop-manager` };
}
