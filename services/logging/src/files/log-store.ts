import { mkdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { compareStreamIds, type LogStreamEntry } from '@pa-connector/logger';
import { isPlausibleLine, stampLine } from '../ingest/line-format';
import { SERVICE_NAME } from './log-file-names';
import { enforceRetention, type RetentionPolicy, type RetentionReason } from './retention';
import { ServiceLogFile } from './service-log-file';

export type RejectReason = 'bad_service' | 'bad_line';

export interface BatchResult {
  /** Lines and bytes written, by service. */
  written: Map<string, { lines: number; bytes: number }>;
  /** Entries already in their file (seen again after a crash): not written twice. */
  duplicates: number;
  rejected: Array<{ id: string; reason: RejectReason }>;
}

export interface WrittenLine {
  service: string;
  /** The line as written, `logId` first. */
  line: string;
}

export interface LogStoreOptions {
  dir: string;
  maxFileBytes: number;
  retention: RetentionPolicy;
  now?: () => number;
  /** After each durable batch, for the live tail. */
  onWritten?: (lines: WrittenLine[]) => void;
  onRotated?: (service: string, file: string) => void;
  onDeleted?: (file: string, reason: RetentionReason) => void;
  onRetentionError?: (err: unknown) => void;
}

/**
 * The log directory: one append-only file per service. A batch is durable (fdatasync of every
 * file it touched) when `writeBatch` resolves, and only then may its entries be acknowledged.
 * Entries at or below the last stream id already in a service's file are skipped, so a batch
 * written again after a crash leaves no duplicates.
 */
export class LogStore {
  readonly #files = new Map<string, ServiceLogFile>();
  readonly #now: () => number;
  #retention: Promise<void> = Promise.resolve();
  #rotatedSinceRetention = false;

  constructor(private readonly o: LogStoreOptions) {
    this.#now = o.now ?? Date.now;
  }

  get dir(): string {
    return this.o.dir;
  }

  async writeBatch(entries: readonly LogStreamEntry[]): Promise<BatchResult> {
    const result: BatchResult = { written: new Map(), duplicates: 0, rejected: [] };
    // Each service's entries, as indices into `entries`: the lines written are put back in
    // stream order across services for onWritten without a map keyed by id.
    const groups = new Map<string, number[]>();
    entries.forEach((e, i) => {
      if (!SERVICE_NAME.test(e.service)) {
        result.rejected.push({ id: e.id, reason: 'bad_service' });
      } else if (!isPlausibleLine(e.line)) {
        result.rejected.push({ id: e.id, reason: 'bad_line' });
      } else {
        const g = groups.get(e.service);
        if (g) g.push(i);
        else groups.set(e.service, [i]);
      }
    });
    if (groups.size === 0) return result;
    // Only a file about to be opened needs the directory: an open one is written through its
    // handle (a mkdir per batch cost a syscall round trip for nothing).
    if ([...groups.keys()].some((service) => !this.#file(service).isOpen)) {
      await mkdir(this.o.dir, { recursive: true, mode: 0o750 });
    }
    const stamped: Array<string | undefined> = new Array(entries.length);
    const touched: ServiceLogFile[] = [];
    const appends = [...groups].map(async ([service, group]) => {
      const file = this.#file(service);
      await file.open();
      const mark = file.lastId;
      // Ids ascend within a batch: only a leading run can be at or below the mark.
      let skip = 0;
      while (mark !== undefined && skip < group.length) {
        if (compareStreamIds((entries[group[skip] as number] as LogStreamEntry).id, mark) > 0) {
          break;
        }
        skip++;
      }
      result.duplicates += skip;
      if (skip === group.length) return;
      const lines: string[] = new Array(group.length - skip);
      for (let k = skip; k < group.length; k++) {
        const i = group[k] as number;
        const e = entries[i] as LogStreamEntry;
        const line = stampLine(e.id, e.line);
        lines[k - skip] = line;
        stamped[i] = line;
      }
      touched.push(file);
      const lastId = (entries[group.at(-1) as number] as LogStreamEntry).id;
      const bytes = await file.append(lines, lastId);
      result.written.set(service, { lines: lines.length, bytes });
    });
    // Sync whatever was appended even when another file failed: a retry skips those lines as
    // already written, so they must be durable before anything is acknowledged.
    const appended = await Promise.allSettled(appends);
    await settleAll(touched.map((f) => f.sync()));
    const failed = appended.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (this.#rotatedSinceRetention) {
      this.#rotatedSinceRetention = false;
      void this.enforceRetention().catch((err) => this.o.onRetentionError?.(err));
    }
    if (result.written.size > 0 && this.o.onWritten) {
      // In stream order across services, as they arrived.
      const written: WrittenLine[] = [];
      entries.forEach((e, i) => {
        const line = stamped[i];
        if (line !== undefined) written.push({ service: e.service, line });
      });
      this.o.onWritten(written);
    }
    return result;
  }

  /** Deletes rotated files the policy no longer keeps. Runs one at a time. */
  enforceRetention(): Promise<void> {
    this.#retention = this.#retention
      .catch(() => undefined)
      .then(async () => {
        const deleted = await enforceRetention(this.o.dir, this.o.retention, this.#now());
        for (const d of deleted) this.o.onDeleted?.(d.name, d.reason);
      });
    return this.#retention;
  }

  async close(): Promise<void> {
    await this.#retention.catch(() => undefined);
    await Promise.all([...this.#files.values()].map((f) => f.close()));
    this.#files.clear();
  }

  #file(service: string): ServiceLogFile {
    let f = this.#files.get(service);
    if (!f) {
      f = new ServiceLogFile(this.o.dir, service, {
        maxBytes: this.o.maxFileBytes,
        now: this.#now,
        onRotated: (path) => {
          this.#rotatedSinceRetention = true;
          this.o.onRotated?.(service, basename(path));
        },
      });
      this.#files.set(service, f);
    }
    return f;
  }
}

/** Waits for every promise; then throws the first failure, if any. */
async function settleAll(promises: Array<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
