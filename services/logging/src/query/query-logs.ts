import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareStreamIds } from '@pa-connector/logger';
import { listLogFiles } from '../files/retention';
import { LOG_ID_FIELD } from '../ingest/line-format';
import { type LogFilter, matchLine } from './log-filter';

export interface QueryResult {
  /** Oldest first; the newest `limit` lines that match. */
  entries: Array<Record<string, unknown>>;
  /** More lines matched than `limit`. */
  truncated: boolean;
}

/**
 * Searches the files newest first (the active file, then rotated ones by falling sequence),
 * keeping the newest `limit` matches per service, then merges services by stream id. Files last
 * written before `since` are not read.
 */
export async function queryLogs(
  dir: string,
  filter: LogFilter & { limit: number },
): Promise<QueryResult> {
  const files = (await listLogFiles(dir).catch(() => [])).filter(
    (f) => !filter.services || filter.services.has(f.service),
  );
  const byService = new Map<string, typeof files>();
  for (const f of files) {
    const list = byService.get(f.service) ?? [];
    list.push(f);
    byService.set(f.service, list);
  }
  let truncated = false;
  const found: Array<Record<string, unknown>> = [];
  for (const [service, list] of byService) {
    list.sort((a, b) => b.seq - a.seq);
    let n = 0;
    scan: for (const f of list) {
      if (filter.since !== undefined && f.mtimeMs < filter.since) break;
      const text = await readFile(join(dir, f.name), 'utf8').catch(() => '');
      // Lines from the last to the first; `end` is where the current line stops.
      let end = text.endsWith('\n') ? text.length - 1 : text.length;
      while (end > 0) {
        const nl = text.lastIndexOf('\n', end - 1);
        const line = text.slice(nl + 1, end);
        end = nl;
        if (line === '') continue;
        const entry = matchLine(filter, service, line);
        if (!entry) continue;
        if (n === filter.limit) {
          truncated = true;
          break scan;
        }
        found.push(entry);
        n++;
      }
    }
  }
  found.sort((a, b) =>
    compareStreamIds(String(a[LOG_ID_FIELD] ?? '0-0'), String(b[LOG_ID_FIELD] ?? '0-0')),
  );
  if (found.length > filter.limit) {
    truncated = true;
    found.splice(0, found.length - filter.limit);
  }
  return { entries: found, truncated };
}
