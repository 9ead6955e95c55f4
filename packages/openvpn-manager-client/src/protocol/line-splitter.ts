import { StringDecoder } from 'node:string_decoder';
import { ErrorCode, ManagementError } from '../errors';

/**
 * OpenVPN prints this prompt on a TCP management socket that has a password file, and it
 * ends it with no line break: the next output (or nothing, until we answer) follows directly.
 */
const PASSWORD_PROMPT = 'ENTER PASSWORD:';

export type SplitItem = { kind: 'line'; text: string } | { kind: 'prompt' };

export interface LineSplitterOptions {
  /** A line longer than this (in characters, without its terminator) is a protocol error. */
  maxLineLength?: number;
}

const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/**
 * Turns socket chunks into lines. A line may arrive split over any number of chunks and a chunk
 * may hold several lines; lines end in CRLF (what OpenVPN sends) or a bare LF. Multi-byte UTF-8
 * characters split across chunks are reassembled.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxLineLength: number;
  #buffer = '';

  constructor(options: LineSplitterOptions = {}) {
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Text received after the last complete line. */
  get pending(): string {
    return this.#buffer;
  }

  push(chunk: Buffer | string): SplitItem[] {
    this.#buffer += typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const items: SplitItem[] = [];
    for (;;) {
      // The prompt can only stand at the start of a line, and may be glued to what follows.
      if (this.#buffer.startsWith(PASSWORD_PROMPT)) {
        items.push({ kind: 'prompt' });
        this.#buffer = this.#buffer.slice(PASSWORD_PROMPT.length);
        continue;
      }
      const newline = this.#buffer.indexOf('\n');
      if (newline < 0) break;
      const end = newline > 0 && this.#buffer[newline - 1] === '\r' ? newline - 1 : newline;
      items.push({ kind: 'line', text: this.#buffer.slice(0, end) });
      this.#buffer = this.#buffer.slice(newline + 1);
    }
    if (this.#buffer.length > this.#maxLineLength) {
      throw new ManagementError(
        ErrorCode.Protocol,
        `OpenVPN sent a line longer than ${this.#maxLineLength} characters without a line break`,
      );
    }
    return items;
  }
}
