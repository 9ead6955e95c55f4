import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import type { Connector } from '../../../src';

export interface Step {
  send?: string;
  recv: string;
  eof?: boolean;
}

export interface Transcript {
  openvpn: string;
  command: string;
  steps: Step[];
}

export function loadTranscript(name: string): Transcript {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', `${name}.json`), 'utf8'));
}

/** How a reply is cut into socket chunks: whole, at one byte position, byte by byte, ... */
export type Chunker = (text: string) => Buffer[];

export const whole: Chunker = (text) => (text === '' ? [] : [Buffer.from(text)]);

export const byteByByte: Chunker = (text) =>
  Array.from(Buffer.from(text), (byte) => Buffer.from([byte]));

/** Two chunks, cut after `position` bytes (the whole when out of range). */
export function splitAt(position: number): Chunker {
  return (text) => {
    const bytes = Buffer.from(text);
    if (position <= 0 || position >= bytes.length) return whole(text);
    return [bytes.subarray(0, position), bytes.subarray(position)];
  };
}

/**
 * Plays OpenVPN's side of a recorded transcript: it expects the client to write each step's
 * `send` in order and answers with the recorded bytes, cut by `chunker`. Anything the client
 * writes that the transcript does not expect is recorded in `mismatches`.
 */
export class ScriptedOpenVpn {
  readonly written: string[] = [];
  readonly mismatches: string[] = [];
  readonly #steps: Step[];
  readonly #chunker: Chunker;
  #next = 0;
  #inbox = '';
  #stream: Duplex | undefined;
  #ended = false;

  constructor(steps: Step[], chunker: Chunker = whole) {
    this.#steps = steps;
    this.#chunker = chunker;
  }

  /** True when every step of the transcript has been played. */
  get finished(): boolean {
    return this.#next >= this.#steps.length;
  }

  get stream(): Duplex | undefined {
    return this.#stream;
  }

  readonly connector: Connector = async () => {
    const stream = new Duplex({
      read() {},
      write: (chunk: Buffer, _encoding, callback) => {
        this.#onWrite(chunk.toString('utf8'));
        callback();
      },
    });
    this.#stream = stream;
    this.#playUnprompted();
    return stream;
  };

  /** Sends bytes that are not in the transcript (to test odd input). */
  inject(text: string): void {
    this.#deliver(this.#chunker(text));
  }

  /** Closes OpenVPN's side of the connection. */
  hangUp(): void {
    this.#end();
  }

  #onWrite(text: string): void {
    this.written.push(text);
    this.#inbox += text;
    for (;;) {
      const step = this.#steps[this.#next];
      if (!step || step.send === undefined) break;
      const expected = `${step.send}\n`;
      if (this.#inbox.length < expected.length) {
        if (!expected.startsWith(this.#inbox)) this.#mismatch(expected);
        break;
      }
      if (!this.#inbox.startsWith(expected)) {
        this.#mismatch(expected);
        break;
      }
      this.#inbox = this.#inbox.slice(expected.length);
      this.#next += 1;
      this.#deliver(this.#chunker(step.recv));
      if (step.eof) {
        this.#end();
        return;
      }
      this.#playUnprompted();
    }
  }

  #mismatch(expected: string): void {
    this.mismatches.push(
      `expected ${JSON.stringify(expected)}, got ${JSON.stringify(this.#inbox)}`,
    );
    this.#inbox = '';
  }

  /** Steps without `send` are output OpenVPN produced on its own; play them right away. */
  #playUnprompted(): void {
    for (;;) {
      const step = this.#steps[this.#next];
      if (!step || step.send !== undefined) return;
      this.#next += 1;
      this.#deliver(this.#chunker(step.recv));
      if (step.eof) {
        this.#end();
        return;
      }
    }
  }

  // Delivered on a later turn of the event loop, as a socket would, each chunk separately.
  #deliver(chunks: Buffer[]): void {
    for (const chunk of chunks) {
      setImmediate(() => {
        if (!this.#ended) this.#stream?.push(chunk);
      });
    }
  }

  #end(): void {
    setImmediate(() => {
      if (this.#ended) return;
      this.#ended = true;
      this.#stream?.push(null);
    });
  }
}
