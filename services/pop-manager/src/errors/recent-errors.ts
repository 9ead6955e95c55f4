import type { LogStreamEntry } from '@pa-connector/logger';
import type { RecentError } from '@pa-connector/redis-contracts';

const LEVELS: Record<string, RecentError['level']> = { error: 'error', fatal: 'fatal' };
const MAX_TEXT = 500;

const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);

/** Level word or pino number (50 error, 60 fatal); undefined below error. */
function levelOf(v: unknown): RecentError['level'] | undefined {
  if (typeof v === 'string') return LEVELS[v];
  if (typeof v === 'number') return v >= 60 ? 'fatal' : v >= 50 ? 'error' : undefined;
  return undefined;
}

/** The entry as a RecentError when it is an error or fatal JSON line, else undefined. */
export function toRecentError(e: LogStreamEntry): RecentError | undefined {
  // Cheap test first: most lines are info.
  if (!/"level":("(error|fatal)"|[5-9]\d)/.test(e.line)) return undefined;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(e.line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const level = levelOf(v.level);
  if (!level) return undefined;
  const ms = Number(e.id.split('-')[0]);
  const time =
    typeof v.time === 'string'
      ? v.time
      : typeof v.time === 'number'
        ? new Date(v.time).toISOString()
        : new Date(ms).toISOString();
  const err = (v.err ?? v.error) as { message?: unknown } | undefined;
  return {
    logId: e.id,
    time,
    service: e.service,
    level,
    msg: clip(typeof v.msg === 'string' ? v.msg : ''),
    ...(typeof v.component === 'string' ? { component: v.component } : {}),
    ...(typeof v.code === 'string' ? { code: v.code } : {}),
    ...(typeof err?.message === 'string' ? { error: clip(err.message) } : {}),
  };
}

/**
 * The last `keep` error/fatal lines seen in the log stream, newest last. Fed the stream entries
 * after `lastId` on every collection, so each line is looked at once.
 */
export class RecentErrors {
  readonly #keep: number;
  readonly #items: RecentError[] = [];
  #lastId: string | undefined;

  constructor(keep: number) {
    this.#keep = keep;
  }

  /** The newest stream id looked at so far. */
  get lastId(): string | undefined {
    return this.#lastId;
  }

  /** Entries oldest first, all newer than lastId; `newestId` is the last id read (decodable or not). */
  add(entries: readonly LogStreamEntry[], newestId = entries.at(-1)?.id): void {
    if (newestId !== undefined) this.#lastId = newestId;
    for (const e of entries) {
      const r = toRecentError(e);
      if (r) this.#items.push(r);
    }
    if (this.#items.length > this.#keep) this.#items.splice(0, this.#items.length - this.#keep);
  }

  list(): RecentError[] {
    return [...this.#items];
  }
}
