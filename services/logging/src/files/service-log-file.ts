import { type FileHandle, open, readdir, rename, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { logIdOf } from '../ingest/line-format';
import { activeFileName, parseLogFileName, rotatedFileName } from './log-file-names';

const TAIL_CHUNK = 64 * 1024;

/**
 * The file one service's lines are appended to. Appends are not durable until `sync()`; a
 * rotation syncs the file it retires. After any write error the file is re-opened (and a
 * partly written last line cut off) before the next append.
 */
export class ServiceLogFile {
  readonly path: string;
  #fh: FileHandle | undefined;
  #size = 0;
  #nextSeq = 1;
  #lastId: string | undefined;
  #dirty = false;

  constructor(
    readonly dir: string,
    readonly service: string,
    private readonly o: {
      maxBytes: number;
      onRotated?: (path: string) => void;
      mode?: number;
      /** The store's clock: a rotated file is dated by it (default Date.now). */
      now?: () => number;
    },
  ) {
    this.path = join(dir, activeFileName(service));
  }

  /** The stream id of the last line in the file (or in its newest rotated file). */
  get lastId(): string | undefined {
    return this.#lastId;
  }

  /** Whether the file is open (a write error or a close leaves it closed). */
  get isOpen(): boolean {
    return this.#fh !== undefined;
  }

  get size(): number {
    return this.#size;
  }

  /** Opens the file, cutting a partly written last line, and learns the last id written. */
  async open(): Promise<void> {
    if (this.#fh) return;
    const seqs = await this.#rotatedSeqs();
    this.#nextSeq = (seqs.at(-1) ?? 0) + 1;
    const fh = await open(this.path, 'a+', this.o.mode ?? 0o640);
    try {
      const { size } = await fh.stat();
      const last = await lastCompleteLine(fh, size);
      if (last.end < size) await fh.truncate(last.end);
      this.#size = last.end;
      this.#lastId = last.line === undefined ? undefined : logIdOf(last.line);
      if (this.#lastId === undefined && seqs.length > 0) {
        this.#lastId = await lastIdOfFile(
          join(this.dir, rotatedFileName(this.service, seqs.at(-1) as number)),
        );
      }
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    this.#fh = fh;
  }

  /**
   * Appends stamped lines (in order) ending with stream id `lastId`, rotating first whenever the
   * next lines would take the file past its size bound. Resolves with the bytes appended.
   */
  async append(lines: readonly string[], lastId: string): Promise<number> {
    await this.open();
    let total = 0;
    try {
      // A UTF-16 unit takes at most three bytes in UTF-8: when even that bound fits, no rotation
      // can be due and the lines go out in one write without measuring each one.
      let bound = 0;
      for (const line of lines) bound += line.length * 3 + 1;
      if (this.#size + bound <= this.o.maxBytes) {
        total = await this.#write(lines);
        this.#lastId = lastId;
        return total;
      }
      let chunk: string[] = [];
      let chunkBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line) + 1;
        if (this.#size + chunkBytes + bytes > this.o.maxBytes && this.#size + chunkBytes > 0) {
          await this.#write(chunk);
          chunk = [];
          chunkBytes = 0;
          await this.#rotate();
        }
        chunk.push(line);
        chunkBytes += bytes;
        total += bytes;
      }
      await this.#write(chunk);
      this.#lastId = lastId;
      return total;
    } catch (err) {
      await this.#reset();
      throw err;
    }
  }

  /** Makes the appended lines durable (fdatasync). */
  async sync(): Promise<void> {
    if (!this.#fh || !this.#dirty) return;
    try {
      await this.#fh.datasync();
      this.#dirty = false;
    } catch (err) {
      await this.#reset();
      throw err;
    }
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    if (fh) {
      if (this.#dirty) await fh.datasync().catch(() => undefined);
      await fh.close().catch(() => undefined);
    }
    this.#dirty = false;
  }

  /** Writes the lines, each ended by a newline; resolves with the bytes written. */
  async #write(lines: readonly string[]): Promise<number> {
    if (lines.length === 0) return 0;
    const buf = Buffer.from(`${lines.join('\n')}\n`);
    const fh = this.#fh as FileHandle;
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    this.#size += buf.length;
    this.#dirty = true;
    return buf.length;
  }

  async #rotate(): Promise<void> {
    const fh = this.#fh as FileHandle;
    await fh.datasync();
    await fh.close();
    this.#fh = undefined;
    this.#dirty = false;
    const rotated = join(this.dir, rotatedFileName(this.service, this.#nextSeq++));
    await rename(this.path, rotated);
    // Retention ages rotated files by their mtime against the store's clock: date the file by
    // that clock, not by the filesystem's, so the two cannot disagree about a file's age.
    // Best effort: if it cannot be set, the rename left the time of the last write, nearly the same.
    const at = (this.o.now ?? Date.now)() / 1000;
    await utimes(rotated, at, at).catch(() => undefined);
    this.#fh = await open(this.path, 'a+', this.o.mode ?? 0o640);
    this.#size = 0;
    await syncDir(this.dir);
    this.o.onRotated?.(rotated);
  }

  async #reset(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    this.#dirty = false;
    await fh?.close().catch(() => undefined);
  }

  async #rotatedSeqs(): Promise<number[]> {
    const seqs: number[] = [];
    for (const name of await readdir(this.dir)) {
      const f = parseLogFileName(name);
      if (f?.kind === 'rotated' && f.service === this.service) seqs.push(f.seq);
    }
    return seqs.sort((a, b) => a - b);
  }
}

/** Where the last complete line ends (just after its newline) and that line. */
async function lastCompleteLine(
  fh: FileHandle,
  size: number,
): Promise<{ end: number; line: string | undefined }> {
  let pos = size;
  let tail = Buffer.alloc(0);
  let end = -1;
  // Find the last newline, reading backwards.
  while (pos > 0 && end < 0) {
    const len = Math.min(TAIL_CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, pos);
    tail = Buffer.concat([buf, tail]);
    const i = tail.lastIndexOf(0x0a);
    if (i >= 0) end = pos + i + 1;
  }
  if (end < 0) return { end: 0, line: undefined };
  // Then the newline before it, so the whole line is in hand.
  let startInTail = newlineAtOrBefore(tail, end - pos - 2);
  while (startInTail < 0 && pos > 0) {
    const len = Math.min(TAIL_CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, pos);
    tail = Buffer.concat([buf, tail]);
    startInTail = newlineAtOrBefore(tail, end - pos - 2);
  }
  const line = tail.subarray(startInTail + 1, end - pos - 1).toString('utf8');
  return { end, line };
}

/** Buffer.lastIndexOf counts a negative offset from the end; here it means "none". */
function newlineAtOrBefore(buf: Buffer, index: number): number {
  return index < 0 ? -1 : buf.lastIndexOf(0x0a, index);
}

async function lastIdOfFile(path: string): Promise<string | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const { size } = await fh.stat();
    const last = await lastCompleteLine(fh, size);
    return last.line === undefined ? undefined : logIdOf(last.line);
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // A rename is durable only once the directory is; not every filesystem allows this.
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}
