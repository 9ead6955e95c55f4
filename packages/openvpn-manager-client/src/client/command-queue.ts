import { ErrorCode, ManagementError } from '../errors';
import type { ReplyReader } from '../protocol/reply';
import type { Timers } from './timers';

interface CommandSpec<T> {
  /** Exactly what to write, one or more lines, each ending in `\n`. */
  text: string;
  /** Safe description for errors and events: never contains a password. */
  label: string;
  /** Undefined for commands OpenVPN does not answer (`quit`). */
  reply: ReplyReader<T> | undefined;
  timeoutMs: number;
}

export interface LateReply {
  command: string;
  lines: string[];
}

interface Entry {
  spec: CommandSpec<unknown>;
  resolve(value: unknown): void;
  reject(error: ManagementError): void;
  timer: unknown;
  /** The caller has its answer (value, error or timeout); the entry may still await its reply. */
  settled: boolean;
  lines: string[];
}

export interface CommandQueueIo {
  write(text: string): void;
  timers: Timers;
  /** A reply completed after its command had already timed out. */
  onLateReply(reply: LateReply): void;
}

/**
 * One command in flight at a time, first in, first out.
 *
 * OpenVPN answers commands strictly in order, so the queue writes the next command only once the
 * previous reply is complete. A command's timeout runs from the moment it is queued:
 * - still queued when it fires: it is dropped and never written (`sent: false`);
 * - already written: the caller is rejected (`sent: true`), but the command keeps its place in
 *   the reply order. Its reply, when it arrives, is recognised, dropped and reported through
 *   `onLateReply`, and the commands behind it then get their own replies. If OpenVPN never
 *   answers, the commands behind it time out unwritten; closing the connection is the way out.
 */
export class CommandQueue {
  readonly #io: CommandQueueIo;
  readonly #waiting: Entry[] = [];
  #inFlight: Entry | undefined;
  #closedWith: (() => ManagementError) | undefined;

  constructor(io: CommandQueueIo) {
    this.#io = io;
  }

  /** Commands queued or awaiting a reply, including timed-out ones still awaiting theirs. */
  get size(): number {
    return this.#waiting.length + (this.#inFlight ? 1 : 0);
  }

  enqueue<T>(spec: CommandSpec<T>): Promise<T> {
    if (this.#closedWith) return Promise.reject(this.#closedWith());
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        spec: spec as CommandSpec<unknown>,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: undefined,
        settled: false,
        lines: [],
      };
      entry.timer = this.#io.timers.setTimeout(() => this.#timeout(entry), spec.timeoutMs);
      this.#waiting.push(entry);
      this.#pump();
    });
  }

  /** Feeds a reply line (never a notification). False when no command is waiting for one. */
  handleLine(line: string): boolean {
    const entry = this.#inFlight;
    if (!entry?.spec.reply) return false;
    entry.lines.push(line);
    const outcome = entry.spec.reply.push(line);
    if (!outcome) return true;
    this.#inFlight = undefined;
    if (entry.settled) {
      this.#io.onLateReply({ command: entry.spec.label, lines: entry.lines });
    } else if (outcome.ok) {
      this.#settle(entry);
      entry.resolve(outcome.value);
    } else {
      this.#settle(entry);
      entry.reject(outcome.error);
    }
    this.#pump();
    return true;
  }

  /** Rejects everything queued or in flight; later commands are rejected at once. */
  close(makeError: () => ManagementError): void {
    this.#closedWith = makeError;
    const entries = [...(this.#inFlight ? [this.#inFlight] : []), ...this.#waiting];
    this.#inFlight = undefined;
    this.#waiting.length = 0;
    for (const entry of entries) {
      if (entry.settled) continue;
      this.#settle(entry);
      entry.reject(makeError());
    }
  }

  #settle(entry: Entry): void {
    entry.settled = true;
    this.#io.timers.clearTimeout(entry.timer);
  }

  #timeout(entry: Entry): void {
    if (entry.settled) return;
    const sent = entry === this.#inFlight;
    entry.settled = true;
    if (!sent) {
      const index = this.#waiting.indexOf(entry);
      if (index >= 0) this.#waiting.splice(index, 1);
    }
    const { label, timeoutMs } = entry.spec;
    entry.reject(
      new ManagementError(
        ErrorCode.Timeout,
        sent
          ? `${label}: no reply from OpenVPN within ${timeoutMs} ms`
          : `${label}: not sent within ${timeoutMs} ms (an earlier command is still unanswered)`,
        { command: label, sent },
      ),
    );
  }

  #pump(): void {
    while (!this.#inFlight && !this.#closedWith) {
      const entry = this.#waiting.shift();
      if (!entry) return;
      // In flight before the write, so a reply delivered during write() finds its command.
      if (entry.spec.reply) this.#inFlight = entry;
      try {
        this.#io.write(entry.spec.text);
      } catch (error) {
        if (this.#inFlight === entry) this.#inFlight = undefined;
        if (entry.settled) continue;
        this.#settle(entry);
        entry.reject(
          new ManagementError(ErrorCode.Closed, `${entry.spec.label}: could not write`, {
            cause: error,
            command: entry.spec.label,
          }),
        );
        continue;
      }
      if (!entry.spec.reply && !entry.settled) {
        this.#settle(entry);
        entry.resolve(undefined);
      }
    }
  }
}
