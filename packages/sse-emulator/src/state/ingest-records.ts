import type { HealthUpdate, LogBatch, PopStatusReport } from '@pa-connector/sse-api';
import { nowIso, type StateContext } from './state-context';

export interface Received<T> {
  receivedAt: string;
  /** The collector (listener URL) that took it; absent in older state files. */
  collector?: string;
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
  /**
   * Ingest requests (health, POP status, log batches) per collector URL: a connector spreads its
   * batches over every collector. Absent in older state files.
   */
  collectors?: Record<string, number>;
}

/** How much ingest history each connector keeps (the admin API shows it). */
const HISTORY_LIMIT = 20;
const RECENT_LOGS_LIMIT = 200;
/** Collectors counted per connector (URLs change when a port is picked at each start). */
const COLLECTORS_LIMIT = 16;

export function emptyIngest(): IngestRecord {
  return {
    health: null,
    healthHistory: [],
    popStatus: null,
    popStatusHistory: [],
    logBatches: 0,
    logEntries: 0,
    recentLogs: [],
    collectors: {},
  };
}

/** Keeps what connectors send, each kind bounded so a long run does not grow it. */
export class IngestRecords {
  constructor(private readonly ctx: StateContext) {}

  recordHealth(record: IngestRecord, update: HealthUpdate, collector?: string): void {
    const received = this.received(record, update, collector);
    record.health = received;
    record.healthHistory = pushBounded(record.healthHistory, received, HISTORY_LIMIT);
  }

  recordPopStatus(record: IngestRecord, status: PopStatusReport, collector?: string): void {
    const received = this.received(record, status, collector);
    record.popStatus = received;
    record.popStatusHistory = pushBounded(record.popStatusHistory, received, HISTORY_LIMIT);
  }

  recordLogs(record: IngestRecord, batch: LogBatch, collector?: string): void {
    if (collector !== undefined) countCollector(record, collector);
    record.logBatches += 1;
    record.logEntries += batch.entries.length;
    record.recentLogs = [...record.recentLogs, ...batch.entries].slice(-RECENT_LOGS_LIMIT);
  }

  private received<T>(record: IngestRecord, body: T, collector: string | undefined): Received<T> {
    if (collector === undefined) return { receivedAt: nowIso(this.ctx), body };
    countCollector(record, collector);
    return { receivedAt: nowIso(this.ctx), collector, body };
  }
}

function countCollector(record: IngestRecord, collector: string): void {
  const counts = { ...record.collectors };
  counts[collector] = (counts[collector] ?? 0) + 1;
  // Oldest first (insertion order): a collector of a past run goes before a current one.
  record.collectors = Object.fromEntries(Object.entries(counts).slice(-COLLECTORS_LIMIT));
}

function pushBounded<T>(list: T[], item: T, limit: number): T[] {
  const next = [...list, item];
  return next.length > limit ? next.slice(next.length - limit) : next;
}
