import type { ChangeTopic } from './keys';

/** A heartbeat, as stored in the `heartbeat(service)` hash (all fields strings in Redis). */
export interface Heartbeat {
  service: string;
  version: string;
  /** ISO time the process started. */
  started: string;
  /** ISO time of this beat. */
  updated: string;
  status: 'starting' | 'ready' | 'not-ready' | 'stopping';
  pid: number;
  host: string;
}

export function encodeHeartbeat(h: Heartbeat): Record<string, string> {
  return {
    service: h.service,
    version: h.version,
    started: h.started,
    updated: h.updated,
    status: h.status,
    pid: String(h.pid),
    host: h.host,
  };
}

const STATUSES = new Set(['starting', 'ready', 'not-ready', 'stopping']);

/** Undefined when the hash is empty or not a heartbeat. */
export function decodeHeartbeat(hash: Record<string, string>): Heartbeat | undefined {
  const { service, version, started, updated, status, pid, host } = hash;
  if (!service || !version || !started || !updated || !status || !STATUSES.has(status))
    return undefined;
  return {
    service,
    version,
    started,
    updated,
    status: status as Heartbeat['status'],
    pid: Number(pid ?? 0),
    host: host ?? '',
  };
}

/** What a change announcement carries; the state itself is read from the key. */
export interface ChangeMessage {
  topic: ChangeTopic;
  /** Which entry changed (tunnel name, app id, service), when it is one. */
  id?: string;
  at: string;
}

export function encodeChange(m: ChangeMessage): string {
  return JSON.stringify(m);
}

export function decodeChange(text: string): ChangeMessage | undefined {
  try {
    const v = JSON.parse(text) as Partial<ChangeMessage>;
    if (typeof v.topic !== 'string' || typeof v.at !== 'string') return undefined;
    return {
      topic: v.topic as ChangeTopic,
      at: v.at,
      ...(typeof v.id === 'string' ? { id: v.id } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The validated catalog the connector publishes under `catalog()`. */
export interface CatalogSnapshot<App = unknown> {
  version: string;
  syncedAt: string;
  apps: App[];
  rejected: Array<{ index: number; id?: string; reason: string }>;
}
