import { isHostOrIp } from '@pa-connector/config';
import type {
  AppServer,
  CatalogApp,
  HealthCheck,
  LoadBalancingStrategy,
} from '@pa-connector/sse-api';

export type AppCheck = { ok: true; app: CatalogApp } | { ok: false; id?: string; reason: string };

const STRATEGIES: readonly LoadBalancingStrategy[] = ['round-robin', 'least-connections'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

function isHost(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && isHostOrIp(v);
}

/**
 * Checks one catalog entry as the SSE sent it and returns the app with defaults filled in
 * (strategy round-robin, TCP health check), or the first reason it cannot be used.
 */
export function validateApp(raw: unknown): AppCheck {
  if (!isObject(raw)) return { ok: false, reason: 'entry is not an object' };
  const id = typeof raw.id === 'string' ? raw.id.trim() : '';
  const bad = (reason: string): AppCheck =>
    id ? { ok: false, id, reason } : { ok: false, reason };
  if (!id) return bad('id is missing or empty');
  if (typeof raw.name !== 'string' || raw.name.trim() === '')
    return bad('name is missing or empty');
  if (!isHost(raw.host))
    return bad(`host ${JSON.stringify(raw.host)} is not a hostname or IP address`);
  if (!isPort(raw.port))
    return bad(`port ${JSON.stringify(raw.port)} is not a whole number from 1 to 65535`);
  if (!Array.isArray(raw.servers) || raw.servers.length === 0)
    return bad('servers must be a non-empty list');
  const servers: AppServer[] = [];
  for (const [i, s] of raw.servers.entries()) {
    if (!isObject(s)) return bad(`servers[${i}] is not an object`);
    if (!isHost(s.host))
      return bad(`servers[${i}].host ${JSON.stringify(s.host)} is not a hostname or IP address`);
    if (!isPort(s.port))
      return bad(
        `servers[${i}].port ${JSON.stringify(s.port)} is not a whole number from 1 to 65535`,
      );
    servers.push({ host: s.host, port: s.port });
  }
  let strategy: LoadBalancingStrategy = 'round-robin';
  if (raw.strategy !== undefined) {
    if (!STRATEGIES.includes(raw.strategy as LoadBalancingStrategy)) {
      return bad(`strategy ${JSON.stringify(raw.strategy)} is not one of ${STRATEGIES.join(', ')}`);
    }
    strategy = raw.strategy as LoadBalancingStrategy;
  }
  let healthCheck: HealthCheck = { type: 'tcp' };
  if (raw.healthCheck !== undefined) {
    const hc = raw.healthCheck;
    if (!isObject(hc)) return bad('healthCheck is not an object');
    if (hc.type === 'http') {
      if (typeof hc.path !== 'string' || !hc.path.startsWith('/')) {
        return bad('healthCheck.path must be a path starting with "/"');
      }
      const expectStatus = hc.expectStatus ?? 200;
      if (
        typeof expectStatus !== 'number' ||
        !Number.isInteger(expectStatus) ||
        expectStatus < 100 ||
        expectStatus > 599
      ) {
        return bad(
          `healthCheck.expectStatus ${JSON.stringify(hc.expectStatus)} is not an HTTP status`,
        );
      }
      healthCheck = { type: 'http', path: hc.path, expectStatus };
    } else if (hc.type !== 'tcp') {
      return bad(`healthCheck.type ${JSON.stringify(hc.type)} is not tcp or http`);
    }
  }
  return {
    ok: true,
    app: {
      id,
      name: raw.name.trim(),
      host: raw.host.toLowerCase(),
      port: raw.port,
      servers,
      strategy,
      healthCheck,
    },
  };
}

export interface ValidatedCatalog {
  apps: CatalogApp[];
  rejected: Array<{ index: number; id?: string; reason: string }>;
}

/**
 * Validates every entry; bad ones are rejected (with their index and reason) and the rest kept.
 * Ids must be unique and so must the `host:port` users connect to: when two entries clash,
 * every one of them is rejected, since there is no telling which one the administrator meant.
 */
export function validateCatalog(entries: readonly unknown[]): ValidatedCatalog {
  const checked = entries.map((raw, index) => ({ index, r: validateApp(raw) }));
  const byId = new Map<string, number>();
  const byTarget = new Map<string, number>();
  for (const { r } of checked) {
    if (!r.ok) continue;
    byId.set(r.app.id, (byId.get(r.app.id) ?? 0) + 1);
    const t = `${r.app.host}:${r.app.port}`;
    byTarget.set(t, (byTarget.get(t) ?? 0) + 1);
  }
  const out: ValidatedCatalog = { apps: [], rejected: [] };
  for (const { index, r } of checked) {
    if (!r.ok) {
      out.rejected.push({ index, ...(r.id ? { id: r.id } : {}), reason: r.reason });
    } else if ((byId.get(r.app.id) ?? 0) > 1) {
      out.rejected.push({
        index,
        id: r.app.id,
        reason: `id ${JSON.stringify(r.app.id)} is used by more than one entry`,
      });
    } else if ((byTarget.get(`${r.app.host}:${r.app.port}`) ?? 0) > 1) {
      out.rejected.push({
        index,
        id: r.app.id,
        reason: `${r.app.host}:${r.app.port} is the address of more than one entry`,
      });
    } else {
      out.apps.push(r.app);
    }
  }
  return out;
}
