import { readFile } from 'node:fs/promises';
import { writeSecretFile } from '@pa-connector/config';
import type { StateData } from './model';

class StateFileError extends Error {
  override name = 'StateFileError';
  readonly retryable = false;
}

/** Reads `state.json`; undefined when there is none yet (a fresh data directory). */
export async function loadStateFile(path: string): Promise<StateData | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new StateFileError(`${path} is not valid JSON; refusing to start over it`, { cause });
  }
  const d = data as Partial<StateData> | null;
  if (
    d?.schema !== 1 ||
    typeof d.groups !== 'object' ||
    typeof d.keys !== 'object' ||
    typeof d.connectors !== 'object'
  ) {
    throw new StateFileError(`${path} is not an emulator state file (schema 1)`);
  }
  return {
    schema: 1,
    ...(typeof d.customerId === 'string' ? { customerId: d.customerId } : {}),
    groups: d.groups,
    keys: d.keys,
    connectors: d.connectors,
    release: d.release ?? null,
    tunnels: {
      networks: d.tunnels?.networks ?? {},
      hosts: d.tunnels?.hosts ?? {},
    },
    apps: typeof d.apps === 'object' && d.apps !== null ? d.apps : {},
    updateSlots: typeof d.updateSlots === 'object' && d.updateSlots !== null ? d.updateSlots : {},
  } as StateData;
}

/**
 * Writes the state file with at most one write in flight. Saves requested while a write runs
 * coalesce into one follow-up write, which serializes the state as it is when it starts, so
 * every caller's change is on disk when its promise resolves.
 */
export class StatePersister {
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  writes = 0;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => StateData,
    private readonly write: (path: string, data: string) => Promise<void> = writeSecretFile,
  ) {}

  save(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.chain.then(() => {
      this.queued = undefined;
      const text = `${JSON.stringify(this.snapshot(), null, 2)}\n`;
      this.writes += 1;
      return this.write(this.path, text);
    });
    this.queued = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every save requested so far has finished (successfully or not). */
  idle(): Promise<void> {
    return this.chain;
  }
}
