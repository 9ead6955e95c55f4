import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecretFile } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';
import type { CatalogSnapshot } from '@pa-connector/redis-contracts';
import type { CatalogApp } from '@pa-connector/sse-api';
import { validateCatalog } from './validate-app';

export const CATALOG_FILE = 'catalog.json';
const FORMAT = 1;
/** A file larger than this is not a catalog this connector wrote. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** The last good catalog as it was applied, with the ETag the SSE sent for it. */
export interface StoredCatalog {
  etag: string | undefined;
  snapshot: CatalogSnapshot<CatalogApp>;
}

interface FileBody {
  format: number;
  connectorId: string;
  etag?: string;
  version: string;
  syncedAt: string;
  apps: unknown[];
  rejected: CatalogSnapshot<CatalogApp>['rejected'];
}

/**
 * The last good catalog in the data directory (0600, written atomically), so a connector that
 * restarts while the SSE is unreachable serves the apps it served before instead of none. The
 * file is input like any other: it is checked and its apps validated again when read, and one
 * that cannot be used is logged and ignored (the SSE's next answer replaces it).
 */
export class CatalogFile {
  readonly #path: string;
  readonly #dir: string;
  readonly #log: Logger;

  constructor(dir: string, logger: Logger) {
    this.#dir = dir;
    this.#path = join(dir, CATALOG_FILE);
    this.#log = logger;
  }

  get path(): string {
    return this.#path;
  }

  /** The stored catalog of `connectorId`, or undefined (none, unreadable, corrupt, another's). */
  async load(connectorId: string): Promise<StoredCatalog | undefined> {
    await this.#removeLeftovers();
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        this.#log.warn({ path: this.#path, code }, 'stored catalog unreadable; ignored');
      }
      return undefined;
    }
    const problem = (reason: string) => {
      this.#log.warn({ path: this.#path, reason }, 'stored catalog unusable; ignored');
      return undefined;
    };
    if (text.length > MAX_FILE_BYTES) return problem(`larger than ${MAX_FILE_BYTES} bytes`);
    let body: Partial<FileBody>;
    try {
      body = JSON.parse(text) as Partial<FileBody>;
    } catch {
      return problem('not JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return problem('not an object');
    if (body.format !== FORMAT) return problem(`format ${String(body.format)} is not ${FORMAT}`);
    if (body.connectorId !== connectorId) return problem('written for another connector id');
    if (typeof body.version !== 'string' || typeof body.syncedAt !== 'string')
      return problem('version or syncedAt missing');
    if (body.etag !== undefined && typeof body.etag !== 'string')
      return problem('etag is not a string');
    if (!Array.isArray(body.apps)) return problem('apps is not a list');
    const { apps, rejected } = validateCatalog(body.apps);
    if (rejected.length > 0) {
      // Every stored app passed validation when stored: a rejection means the file was altered.
      return problem(`${rejected.length} stored apps fail validation (${rejected[0]?.reason})`);
    }
    return {
      etag: body.etag,
      snapshot: {
        version: body.version,
        syncedAt: body.syncedAt,
        apps,
        rejected: storedRejections(body.rejected),
      },
    };
  }

  /** Replaces the stored catalog atomically (temp file, fsync, rename, directory fsync). */
  async save(connectorId: string, c: StoredCatalog): Promise<void> {
    const body: FileBody = {
      format: FORMAT,
      connectorId,
      ...(c.etag !== undefined ? { etag: c.etag } : {}),
      version: c.snapshot.version,
      syncedAt: c.snapshot.syncedAt,
      apps: c.snapshot.apps,
      rejected: c.snapshot.rejected,
    };
    await writeSecretFile(this.#path, `${JSON.stringify(body)}\n`);
  }

  /** Temp files of a write the process did not live to finish. */
  async #removeLeftovers(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.#dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith(`.${CATALOG_FILE}.`) && e.endsWith('.tmp')) {
        await unlink(join(this.#dir, e)).catch(() => undefined);
      }
    }
  }
}

/** The rejections as stored, keeping only well-formed ones (they are reported, not applied). */
function storedRejections(v: unknown): CatalogSnapshot<CatalogApp>['rejected'] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((r) =>
    typeof r === 'object' &&
    r !== null &&
    Number.isInteger(r.index) &&
    typeof r.reason === 'string' &&
    (r.id === undefined || typeof r.id === 'string')
      ? [
          {
            index: r.index as number,
            reason: (r.reason as string).slice(0, 500),
            ...(typeof r.id === 'string' ? { id: r.id.slice(0, 200) } : {}),
          },
        ]
      : [],
  );
}
