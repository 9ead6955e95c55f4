import type { RedisKeys } from '@pa-connector/redis-contracts';
import type { Redis } from '@pa-connector/service-runtime';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** What the update service is doing or last concluded (the `state` field of the status hash). */
export type UpdateState =
  | 'starting'
  | 'checking'
  | 'no-release'
  | 'up-to-date'
  | 'update-available'
  | 'waiting-for-window'
  /** Another connector of the group holds the update slot: the connector waits. */
  | 'waiting_for_slot'
  | 'pulling'
  | 'trying'
  | 'updating'
  | 'updated'
  | 'rolled-back'
  | 'trial-failed'
  | 'manual-upgrade-required'
  | 'failed';

/**
 * The status hash (`<prefix>update:status`), relayed by pop-manager as `update` and shown by
 * `pa_connector.sh version`. Fields not given are left as they were.
 */
export interface UpdateStatus {
  state: UpdateState;
  /** The POP's version (this service's). */
  running: string;
  /** The released version, once a manifest was read. */
  available?: string;
  minAutoUpgradeVersion?: string;
  /** The service being pulled or recreated. */
  service?: string;
  /** One line for a person: what happened, or what to do. */
  message: string;
  checkedAt?: string;
  nextCheckAt?: string;
  /** The code of the last failure (connector_unreachable, pull_failed, digest_mismatch, ...). */
  lastError?: string;
  window?: string;
}

/**
 * What became of one service in a rollout: `trial-failed` when the new image was not healthy
 * beside the running container (which was not touched), `rolled-back` when it passed that but
 * was not healthy once in its place.
 */
export const HistoryResult = Type.Union(
  (['updated', 'trial-failed', 'rolled-back', 'failed', 'refused'] as const).map((r) =>
    Type.Literal(r),
  ),
);
export type HistoryResult = Static<typeof HistoryResult>;

/** One line of the history list (`<prefix>update:history`, newest first; JSON each). */
export const UpdateHistoryEntry = Type.Object({
  at: Type.String(),
  service: Type.String(),
  from: Type.String(),
  to: Type.String(),
  version: Type.String(),
  result: HistoryResult,
  message: Type.String(),
});
export type UpdateHistoryEntry = Static<typeof UpdateHistoryEntry>;

const historyEntry = TypeCompiler.Compile(UpdateHistoryEntry);

/** The entry a history line holds; undefined when it is not one (not JSON, or another shape). */
function decodeHistoryEntry(line: string): UpdateHistoryEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  return historyEntry.Check(v) ? v : undefined;
}

export const HISTORY_LENGTH = 200;

/** Writes the status hash and history to Redis (pop-manager reads them when it builds a status). */
export class UpdateStatusStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async set(status: UpdateStatus): Promise<void> {
    const fields = Object.fromEntries(
      Object.entries(status).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    // Fields that no longer apply (the service of a finished rollout, an old error) go.
    const stale = ['service', 'lastError', 'nextCheckAt', 'minAutoUpgradeVersion', 'window'].filter(
      (k) => !(k in fields),
    );
    const m = this.redis.multi().hset(this.keys.updateStatus(), fields);
    if (stale.length > 0) m.hdel(this.keys.updateStatus(), ...stale);
    await m.exec();
  }

  async record(entry: UpdateHistoryEntry): Promise<void> {
    await this.redis
      .multi()
      .lpush(this.keys.updateHistory(), JSON.stringify(entry))
      .ltrim(this.keys.updateHistory(), 0, HISTORY_LENGTH - 1)
      .exec();
  }

  async history(count = HISTORY_LENGTH): Promise<UpdateHistoryEntry[]> {
    const rows = await this.redis.lrange(this.keys.updateHistory(), 0, count - 1);
    return rows.flatMap((r) => decodeHistoryEntry(r) ?? []);
  }

  async get(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.updateStatus());
  }
}
