import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLogFileName } from './log-file-names';

export interface RetentionPolicy {
  /** Rotated files kept per service. */
  keepFiles: number;
  /** Rotated files last written before now - maxAgeMs go. */
  maxAgeMs: number;
  /** Bound of every log file together (active ones count, but only rotated ones are deleted). */
  maxTotalBytes: number;
}

export interface LogFileInfo {
  name: string;
  service: string;
  kind: 'active' | 'rotated';
  seq: number;
  bytes: number;
  mtimeMs: number;
}

export type RetentionReason = 'count' | 'age' | 'size';

/**
 * Which rotated files to delete, and why: first those past the age, then those beyond the
 * per-service count, then the oldest ones until everything fits the total size. Pure.
 */
export function planRetention(
  files: readonly LogFileInfo[],
  policy: RetentionPolicy,
  now: number,
): Array<{ name: string; reason: RetentionReason }> {
  const out: Array<{ name: string; reason: RetentionReason }> = [];
  const kept: LogFileInfo[] = [];
  const rotatedBy = new Map<string, LogFileInfo[]>();
  for (const f of files) {
    if (f.kind !== 'rotated') continue;
    if (f.mtimeMs < now - policy.maxAgeMs) {
      out.push({ name: f.name, reason: 'age' });
      continue;
    }
    const list = rotatedBy.get(f.service) ?? [];
    list.push(f);
    rotatedBy.set(f.service, list);
  }
  for (const list of rotatedBy.values()) {
    list.sort((a, b) => b.seq - a.seq);
    list.forEach((f, i) => {
      if (i >= policy.keepFiles) out.push({ name: f.name, reason: 'count' });
      else kept.push(f);
    });
  }
  let total = files
    .filter((f) => f.kind === 'active')
    .concat(kept)
    .reduce((sum, f) => sum + f.bytes, 0);
  kept.sort((a, b) => a.mtimeMs - b.mtimeMs || a.seq - b.seq);
  for (const f of kept) {
    if (total <= policy.maxTotalBytes) break;
    out.push({ name: f.name, reason: 'size' });
    total -= f.bytes;
  }
  return out;
}

/** Every log file of the directory with its size and time. */
export async function listLogFiles(dir: string): Promise<LogFileInfo[]> {
  const out: LogFileInfo[] = [];
  for (const name of await readdir(dir)) {
    const parsed = parseLogFileName(name);
    if (!parsed) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (!st?.isFile()) continue;
    out.push({
      name,
      service: parsed.service,
      kind: parsed.kind,
      seq: parsed.kind === 'rotated' ? parsed.seq : Number.MAX_SAFE_INTEGER,
      bytes: st.size,
      mtimeMs: st.mtimeMs,
    });
  }
  return out;
}

/** Applies the policy to the directory; returns what it deleted. */
export async function enforceRetention(
  dir: string,
  policy: RetentionPolicy,
  now: number,
): Promise<Array<{ name: string; reason: RetentionReason }>> {
  const plan = planRetention(await listLogFiles(dir), policy, now);
  const done: Array<{ name: string; reason: RetentionReason }> = [];
  for (const p of plan) {
    try {
      await unlink(join(dir, p.name));
      done.push(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return done;
}
