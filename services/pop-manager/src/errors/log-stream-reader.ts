import { decodeLogStreamEntry, type LogStreamEntry } from '@pa-connector/logger';
import type Redis from 'ioredis';

/**
 * The newest entries of the log stream after `afterId` (all of the newest `max` when it is
 * undefined), oldest first. When more than `max` arrived since, the older ones are skipped:
 * the status shows recent errors, not all of them (the logging service keeps everything).
 */
export async function readNewLogEntries(
  redis: Pick<Redis, 'xrevrange'>,
  key: string,
  afterId: string | undefined,
  max: number,
): Promise<{ entries: LogStreamEntry[]; newestId: string | undefined }> {
  const raw = await redis.xrevrange(key, '+', afterId ? `(${afterId}` : '-', 'COUNT', max);
  const entries: LogStreamEntry[] = [];
  for (let i = raw.length - 1; i >= 0; i--) {
    const [id, fields] = raw[i] as [string, string[]];
    const e = decodeLogStreamEntry(id, fields);
    if (e) entries.push(e);
  }
  return { entries, newestId: raw[0]?.[0] ?? afterId };
}
