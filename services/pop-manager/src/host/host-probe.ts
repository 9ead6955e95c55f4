import { readFile, statfs } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

/** What statfs(2) says of a filesystem (the fields the status uses). */
export interface FsStats {
  /** Block size, bytes. */
  bsize: number;
  blocks: number;
  /** Free blocks (including those reserved for root). */
  bfree: number;
  /** Free blocks ordinary users may use. */
  bavail: number;
}

/** Where host facts come from; tests give fixed texts instead of the machine's. */
export interface HostProbe {
  readText(path: string): Promise<string>;
  statfs(path: string): Promise<FsStats>;
  cpuCount(): number;
}

export const systemHostProbe: HostProbe = {
  readText: (path) => readFile(path, 'utf8'),
  statfs: async (path) => {
    const s = await statfs(path);
    return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail };
  },
  cpuCount: () => availableParallelism(),
};
