import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream (a child's stdout, an HTTP body) into `\n`-ended lines. Bytes are decoded
 * as UTF-8 across chunk boundaries, so a character whose bytes arrive in two chunks comes out
 * whole instead of as two replacement characters. A `\r` before the `\n` is kept: callers that
 * read CRLF text strip it.
 */
export class LineDecoder {
  readonly #decoder = new StringDecoder('utf8');
  #partial = '';

  /** The lines `chunk` completes, without their `\n`. */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    return parts;
  }

  /** At the end of the stream: the last line when it had no `\n`, else nothing. */
  end(): string[] {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    return rest === '' ? [] : [rest];
  }
}

/** What `readLines` needs of a stream (a child's stdout or stderr fits). */
export interface ByteStream {
  on(event: 'data', listener: (chunk: Uint8Array | string) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** Calls `onLine` for every line of `stream`, the last one too when it has no `\n`. */
export function readLines(stream: ByteStream, onLine: (line: string) => void): void {
  const lines = new LineDecoder();
  stream.on('data', (chunk) => {
    for (const line of lines.push(chunk)) onLine(line);
  });
  stream.on('end', () => {
    for (const line of lines.end()) onLine(line);
  });
}
