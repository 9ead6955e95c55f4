import type { HealthUpdate, LogBatch, PopStatusReport } from '@pa-connector/sse-api';
import { nowIso, type StateContext } from './state-context';

export interface Received<T> {
  receivedAt: string;
  body: T;
}

/** What a connector has sent in (health, POP status, logs), persisted in its connector record. */
export interface IngestRecord {
  health: Received<HealthUpdate> | null;
  healthHistory: Array<Received<HealthUpdate>>;
  popStatus: Received<PopStatusReport> | null;
  popStatusHistory: Array<Received<PopStatusReport>>;
  logBatches: number;
  logEntries: number;
  recentLogs: Array<Record<string, unknown>>;
}

/** How much ingest history each connector keeps (the admin API shows it). */
const HISTORY_LIMIT = 20;
const RECENT_LOGS_LIMIT = 200;

export function emptyIngest(): IngestRecord {
  return {
    health: null,
    healthHistory: [],
    popStatus: null,
    popStatusHistory: [],
    logBatches: 0,
    logEntries: 0,
    recentLogs: [],
  };
}

/** Keeps what connectors send, each kind bounded so a long run does not grow it. */
export class IngestRecords {
  constructor(private readonly ctx: StateContext) {}

  recordHealth(record: IngestRecord, update: HealthUpdate): void {
    const received = { receivedAt: nowIso(this.ctx), body: update };
    record.health = received;
    record.healthHistory = pushBounded(record.healthHistory, received, HISTORY_LIMIT);
  }

  recordPopStatus(record: IngestRecord, status: PopStatusReport): void {
    const received = { receivedAt: nowIso(this.ctx), body: status };
    record.popStatus = received;
    record.popStatusHistory = pushBounded(record.popStatusHistory, received, HISTORY_LIMIT);
  }

  recordLogs(record: IngestRecord, batch: LogBatch): void {
    record.logBatches += 1;
    record.logEntries += batch.entries.length;
    record.recentLogs = [...record.recentLogs, ...batch.entries].slice(-RECENT_LOGS_LIMIT);
  }
}

function pushBounded<T>(list: T[], item: T, limit: number): T[] {
  const next = [...list, item];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
