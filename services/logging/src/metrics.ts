import { metricName, type Registry } from '@pa-connector/metrics';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { BatchResult } from './files/log-store';
import type { RetentionReason } from './files/retention';
import type { ConsumerObserver } from './ingest/stream-consumer';

const m = (name: string) => metricName('logging', name);

export interface GroupInfo {
  lag: number | undefined;
  pending: number;
}

/** The logging service's own metrics (ingest, files, tail). */
export class LoggingMetrics implements ConsumerObserver {
  readonly ingested: Counter<'source'>;
  readonly written: Counter<'service'>;
  readonly writtenBytes: Counter<'service'>;
  readonly duplicates: Counter;
  readonly rejected: Counter<'reason'>;
  readonly trimmedEntries: Counter;
  readonly errors: Counter;
  readonly batchSeconds: Histogram;
  readonly rotated: Counter<'service'>;
  readonly deletedFiles: Counter<'reason'>;
  readonly tailDropped: Counter;

  constructor(
    registry: Registry,
    o: { groupInfo?: () => Promise<GroupInfo | undefined>; tailClients?: () => number } = {},
  ) {
    const registers = [registry];
    this.ingested = new Counter({
      name: m('ingested_entries_total'),
      help: 'Entries read from the log stream; source=claimed for pending entries taken over after a restart or failure.',
      labelNames: ['source'],
      registers,
    });
    this.written = new Counter({
      name: m('written_lines_total'),
      help: 'Lines written (and synced) to the log files, by service.',
      labelNames: ['service'],
      registers,
    });
    this.writtenBytes = new Counter({
      name: m('written_bytes_total'),
      help: 'Bytes written to the log files, by service.',
      labelNames: ['service'],
      registers,
    });
    this.duplicates = new Counter({
      name: m('duplicate_entries_total'),
      help: 'Entries already in their file when read again after a crash; acknowledged, not written twice.',
      registers,
    });
    this.rejected = new Counter({
      name: m('rejected_entries_total'),
      help: 'Stream entries that could not be written: bad_service (not a service name) or bad_line (not one JSON object).',
      labelNames: ['reason'],
      registers,
    });
    this.trimmedEntries = new Counter({
      name: m('trimmed_entries_total'),
      help: 'Pending entries trimmed from the stream (MAXLEN) before they could be written: lost.',
      registers,
    });
    this.errors = new Counter({
      name: m('ingest_errors_total'),
      help: 'Failed ingest steps (Redis unreachable, file write failed); each is retried.',
      registers,
    });
    this.batchSeconds = new Histogram({
      name: m('batch_write_seconds'),
      help: 'Time to write and fdatasync one batch.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.rotated = new Counter({
      name: m('rotated_files_total'),
      help: 'Log files rotated because they reached PA_LOG_FILE_MAX_SIZE, by service.',
      labelNames: ['service'],
      registers,
    });
    this.deletedFiles = new Counter({
      name: m('deleted_files_total'),
      help: 'Rotated files deleted by retention: count, age or size.',
      labelNames: ['reason'],
      registers,
    });
    this.tailDropped = new Counter({
      name: m('tail_skipped_lines_total'),
      help: 'Lines a live tail client missed because it read too slowly.',
      registers,
    });
    const tailClients = o.tailClients;
    new Gauge({
      name: m('tail_clients'),
      help: 'Live tail connections.',
      registers,
      collect() {
        this.set(tailClients?.() ?? 0);
      },
    });
    const groupInfo = o.groupInfo;
    const pending = new Gauge({
      name: m('pending_entries'),
      help: 'Entries delivered to the consumer group but not yet acknowledged (written).',
      registers,
    });
    new Gauge({
      name: m('lag_entries'),
      help: 'Entries in the stream not yet delivered to the logging consumer group (-1 when Redis cannot tell, e.g. after trimming).',
      registers,
      async collect() {
        const info = await groupInfo?.().catch(() => undefined);
        if (info) this.set(info.lag ?? -1);
        if (info) pending.set(info.pending);
      },
    });
  }

  read(entries: number, claimed: boolean): void {
    this.ingested.inc({ source: claimed ? 'claimed' : 'new' }, entries);
  }

  batch(r: BatchResult, seconds: number): void {
    this.batchSeconds.observe(seconds);
    for (const [service, w] of r.written) {
      this.written.inc({ service }, w.lines);
      this.writtenBytes.inc({ service }, w.bytes);
    }
    if (r.duplicates > 0) this.duplicates.inc(r.duplicates);
    for (const x of r.rejected) this.rejected.inc({ reason: x.reason });
  }

  trimmed(count: number): void {
    this.trimmedEntries.inc(count);
  }

  error(): void {
    this.errors.inc();
  }

  rotation(service: string): void {
    this.rotated.inc({ service });
  }

  deleted(reason: RetentionReason): void {
    this.deletedFiles.inc({ reason });
  }
}
