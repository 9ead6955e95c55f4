import { inspect } from 'node:util';

/**
 * A secret read from a `*_FILE` path. It prints as `[redacted]` everywhere (string conversion,
 * JSON, util.inspect) so a config object can be logged whole; `reveal()` is the one way out.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
