import { isIP } from 'node:net';
import { isHostOrIp } from '@pa-connector/config';
import type {
  AppServer,
  CatalogApp,
  HealthCheck,
  HealthCheckMethod,
  LoadBalancingStrategy,
} from '@pa-connector/sse-api';
import { canonicalHost, formatHostPort } from '../health/host-port';
import { requestPathProblem } from './request-path';

export type AppCheck = { ok: true; app: CatalogApp } | { ok: false; id?: string; reason: string };

const STRATEGIES: readonly LoadBalancingStrategy[] = ['round-robin', 'least-connections'];
const METHODS: readonly HealthCheckMethod[] = ['GET', 'HEAD'];

/** Bounds of one entry: what a probe, the proxy, a metric label or a log line can carry. */
const APP_LIMITS = {
  idLength: 128,
  nameLength: 256,
  hostLength: 253,
  servers: 64,
} as const;
/** Entries of one catalog beyond this are rejected (the first ones are kept). */
export const MAX_CATALOG_ENTRIES = 10_000;

// Ids become metric labels, Redis hash fields and log fields: a plain, printable alphabet.
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
// C0 and C1 controls, DEL, line and paragraph separators: nothing a log line or UI should show.
function hasControl(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** A hostname (RFC 1123) or an IPv4/IPv6 literal without brackets or zone. */
function isHost(v: unknown): v is string {
  return (
    typeof v === 'string' &&
    v.length > 0 &&
    v.length <= APP_LIMITS.hostLength &&
    !v.includes('%') &&
    isHostOrIp(v)
  );
}

/** A value as a reason quotes it: JSON, cut short so a huge value cannot flood logs. */
function quote(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 64 ? `${text.slice(0, 60)}…(${text.length} chars)` : text;
}

function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.trim() === '') return 'id is missing or empty';
  if (id.length > APP_LIMITS.idLength) return `id is longer than ${APP_LIMITS.idLength} characters`;
  if (!ID.test(id))
    return `id ${quote(id)} may hold only letters, digits and . _ : - (starting with a letter or digit)`;
  return undefined;
}

function checkHealth(hc: unknown): HealthCheck | string {
  if (hc === undefined) return { type: 'tcp' };
  if (!isObject(hc)) return 'healthCheck is not an object';
  if (hc.type === 'tcp') return { type: 'tcp' };
  if (hc.type !== 'http') return `healthCheck.type ${quote(hc.type)} is not tcp or http`;
  if (typeof hc.path !== 'string') return 'healthCheck.path must be a path starting with "/"';
  const pathProblem = requestPathProblem(hc.path);
  if (pathProblem) return `healthCheck.path ${quote(hc.path)} ${pathProblem}`;
  const expectStatus = hc.expectStatus ?? 200;
  if (
    typeof expectStatus !== 'number' ||
    !Number.isInteger(expectStatus) ||
    expectStatus < 100 ||
    expectStatus > 599
  ) {
    return `healthCheck.expectStatus ${quote(hc.expectStatus)} is not an HTTP status (100-599)`;
  }
  if (hc.method !== undefined && !METHODS.includes(hc.method as HealthCheckMethod)) {
    return `healthCheck.method ${quote(hc.method)} is not one of ${METHODS.join(', ')}`;
  }
  return {
    type: 'http',
    path: hc.path,
    expectStatus,
    ...(hc.method !== undefined ? { method: hc.method as HealthCheckMethod } : {}),
  };
}

/**
 * Checks one catalog entry as the SSE sent it, every field a probe or the proxy will use, and
 * returns the app with defaults filled in (strategy round-robin, TCP health check), or the
 * first reason it cannot be used.
 */
export function validateApp(raw: unknown): AppCheck {
  if (!isObject(raw)) return { ok: false, reason: 'entry is not an object' };
  const idBad = idProblem(raw.id);
  if (idBad) return { ok: false, reason: idBad };
  // Taken as sent (not trimmed): the SSE and the gateways know the app by exactly this id.
  const id = raw.id as string;
  const bad = (reason: string): AppCheck => ({ ok: false, id, reason });
  if (typeof raw.name !== 'string' || raw.name.trim() === '')
    return bad('name is missing or empty');
  const name = raw.name.trim();
  if (name.length > APP_LIMITS.nameLength)
    return bad(`name is longer than ${APP_LIMITS.nameLength} characters`);
  if (hasControl(name)) return bad('name holds control characters');
  if (!isHost(raw.host)) return bad(`host ${quote(raw.host)} is not a hostname or IP address`);
  if (!isPort(raw.port))
    return bad(`port ${quote(raw.port)} is not a whole number from 1 to 65535`);
  if (!Array.isArray(raw.servers) || raw.servers.length === 0)
    return bad('servers must be a non-empty list');
  if (raw.servers.length > APP_LIMITS.servers)
    return bad(`servers holds ${raw.servers.length} entries; at most ${APP_LIMITS.servers}`);
  const servers: AppServer[] = [];
  const seen = new Map<string, number>();
  for (const [i, s] of raw.servers.entries()) {
    if (!isObject(s)) return bad(`servers[${i}] is not an object`);
    if (!isHost(s.host))
      return bad(`servers[${i}].host ${quote(s.host)} is not a hostname or IP address`);
    if (!isPort(s.port))
      return bad(`servers[${i}].port ${quote(s.port)} is not a whole number from 1 to 65535`);
    // Health state is kept per server address: the same server twice would share it.
    const key = formatHostPort(canonicalHost(s.host), s.port);
    const first = seen.get(key);
    if (first !== undefined) return bad(`servers[${i}] repeats servers[${first}] (${key})`);
    seen.set(key, i);
    servers.push({ host: s.host, port: s.port });
  }
  let strategy: LoadBalancingStrategy = 'round-robin';
  if (raw.strategy !== undefined) {
    if (!STRATEGIES.includes(raw.strategy as LoadBalancingStrategy)) {
      return bad(`strategy ${quote(raw.strategy)} is not one of ${STRATEGIES.join(', ')}`);
    }
    strategy = raw.strategy as LoadBalancingStrategy;
  }
  const healthCheck = checkHealth(raw.healthCheck);
  if (typeof healthCheck === 'string') return bad(healthCheck);
  return {
    ok: true,
    app: {
      id,
      name,
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

/** The address users connect to, one spelling per address (`FD00:0::1` is `fd00::1`). */
function targetKey(app: CatalogApp): string {
  return formatHostPort(isIP(app.host) ? canonicalHost(app.host) : app.host, app.port);
}

/**
 * Validates every entry; bad ones are rejected (with their index and reason) and the rest kept.
 * Ids must be unique and so must the `host:port` users connect to: when two entries clash,
 * every one of them is rejected, since there is no telling which one the administrator meant.
 */
export function validateCatalog(entries: readonly unknown[]): ValidatedCatalog {
  const checked = entries.map((raw, index): { index: number; r: AppCheck } =>
    index < MAX_CATALOG_ENTRIES
      ? { index, r: validateApp(raw) }
      : {
          index,
          r: { ok: false, reason: `the catalog holds more than ${MAX_CATALOG_ENTRIES} entries` },
        },
  );
  const byId = new Map<string, number>();
  const byTarget = new Map<string, number>();
  for (const { r } of checked) {
    if (!r.ok) continue;
    byId.set(r.app.id, (byId.get(r.app.id) ?? 0) + 1);
    const t = targetKey(r.app);
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
        reason: `id ${quote(r.app.id)} is used by more than one entry`,
      });
    } else if ((byTarget.get(targetKey(r.app)) ?? 0) > 1) {
      out.rejected.push({
        index,
        id: r.app.id,
        reason: `${targetKey(r.app)} is the address of more than one entry`,
      });
    } else {
      out.apps.push(r.app);
    }
  }
  return out;
}
