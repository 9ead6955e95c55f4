import { randomBytes } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReadinessCheck } from '@pa-connector/service-runtime';

/**
 * Whether the log directory can be written, as last seen by a probe or by the file writer. The
 * readiness check reads this state; it does no I/O itself.
 */
export class LogDirHealth {
  #writable = false;
  #error: string | undefined = 'not probed yet';

  constructor(readonly dir: string) {}

  get writable(): boolean {
    return this.#writable;
  }

  /** Why it is not writable, as last seen (undefined when it is). */
  get error(): string | undefined {
    return this.#error;
  }

  /** Creates the directory if needed and writes, then removes, a probe file. Never throws. */
  async probe(): Promise<boolean> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o750 });
      // Unique: a trial run of a new image probes the same directory, and both may be pid 1.
      const file = join(this.dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
      await writeFile(file, '', { mode: 0o600 });
      await unlink(file);
      this.report(true);
    } catch (err) {
      this.report(false, err);
    }
    return this.#writable;
  }

  /** What the file writer saw on its last write. */
  report(ok: boolean, err?: unknown): void {
    this.#writable = ok;
    this.#error = ok ? undefined : describe(err);
  }

  check(): ReadinessCheck {
    return {
      name: 'logDir',
      check: () => this.#writable,
      detail: () => ({
        dir: this.dir,
        writable: this.#writable,
        ...(this.#error ? { error: this.#error } : {}),
      }),
    };
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(err);
}
