import { redactUrlCredentials } from '@pa-connector/config';

/** How many values a scrubber holds at most unless told otherwise. */
export const SECRET_VALUES_MAX = 256;

/** Values shorter than this would scrub ordinary words; they are left to the structural rules. */
const MIN_LENGTH = 6;

export interface SecretValuesOptions {
  /**
   * Most values held at once (default SECRET_VALUES_MAX). Beyond it the oldest value is dropped:
   * a backstop, since a value that is replaced over time belongs in a slot, which keeps the count
   * constant.
   */
  max?: number;
  /** Told once, the first time a value is dropped to keep the bound (a wiring defect to report). */
  onOverflow?: (held: number) => void;
}

/** One named secret that changes over time (an access token): the current value and the one before. */
export interface SecretSlot {
  /**
   * Makes `value` the current one. The value it replaces stays scrubbed (a request or a log line
   * in flight may still carry it); older ones leave the scrubber.
   */
  set(value: string | undefined): void;
  /** Removes every value the slot holds. */
  clear(): void;
}

interface Entry {
  /** The value and its JSON-escaped form (lines are serialized before they are scrubbed). */
  forms: string[];
  holders: number;
}

/**
 * Values that must never leave the process in a log line (the provisioning key, tokens, proxy
 * passwords). The logger scrubs every registered value from every line it writes, whatever
 * field or message it hides in, so a secret quoted in an error message is caught too; the
 * credentials of any URL in a line (`scheme://user:password@`) are scrubbed by position, whatever
 * their length.
 *
 * The set is bounded: values that change (tokens) go through `slot()`, which forgets retired
 * values, and the whole set never holds more than `max` values, so the cost of a line does not
 * grow with uptime.
 */
export class SecretValues {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #onOverflow: ((held: number) => void) | undefined;
  readonly #slots = new Map<string, SecretSlot>();
  #forms = 0;
  #dropped = 0;
  #pattern: RegExp | undefined;

  constructor(values: Iterable<string> = [], o: SecretValuesOptions = {}) {
    this.#max = o.max ?? SECRET_VALUES_MAX;
    if (!Number.isInteger(this.#max) || this.#max < 1) {
      throw new RangeError(`SecretValues max must be a positive integer, got ${this.#max}`);
    }
    this.#onOverflow = o.onOverflow;
    for (const v of values) this.add(v);
  }

  /**
   * Registers a value for as long as the returned function is not called (values shorter than 6
   * characters are ignored: they would scrub words).
   */
  add(value: string | undefined): () => void {
    if (!this.#acquire(value)) return () => undefined;
    let held = true;
    return () => {
      if (held) this.#release(value as string);
      held = false;
    };
  }

  /** The slot called `name` (the same object for the same name). */
  slot(name: string): SecretSlot {
    let s = this.#slots.get(name);
    if (!s) {
      s = this.#newSlot();
      this.#slots.set(name, s);
    }
    return s;
  }

  /** Patterns scrubbed from each line (each value and its escaped form). */
  get size(): number {
    return this.#forms;
  }

  /** Values dropped so far to keep the bound. */
  get dropped(): number {
    return this.#dropped;
  }

  scrub(text: string): string {
    const out = redactUrlCredentials(text);
    if (this.#entries.size === 0) return out;
    if (!this.#pattern) {
      const alternatives = [...this.#entries.values()]
        .flatMap((e) => e.forms)
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.#pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return out.replace(this.#pattern, '[redacted]');
  }

  #newSlot(): SecretSlot {
    let recent: string[] = [];
    return {
      set: (value) => {
        if (!value || value === recent.at(-1)) return;
        if (!this.#acquire(value)) return;
        recent.push(value);
        while (recent.length > 2) this.#release(recent.shift() as string);
      },
      clear: () => {
        for (const v of recent) this.#release(v);
        recent = [];
      },
    };
  }

  /** Counts one more holder of `value`; false when the value is too short to hold. */
  #acquire(value: string | undefined): value is string {
    if (!value || value.length < MIN_LENGTH) return false;
    const e = this.#entries.get(value);
    if (e) {
      e.holders++;
      // The newest use moves it last, away from the bound's eviction.
      this.#entries.delete(value);
      this.#entries.set(value, e);
      return true;
    }
    const escaped = JSON.stringify(value).slice(1, -1);
    const forms = escaped === value ? [value] : [value, escaped];
    this.#entries.set(value, { forms, holders: 1 });
    this.#forms += forms.length;
    this.#pattern = undefined;
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#delete(oldest);
      if (this.#dropped++ === 0) this.#onOverflow?.(this.#entries.size);
    }
    return true;
  }

  #release(value: string): void {
    const e = this.#entries.get(value);
    if (!e) return; // dropped by the bound meanwhile
    if (--e.holders <= 0) this.#delete(value);
  }

  #delete(value: string): void {
    const e = this.#entries.get(value);
    if (!e) return;
    this.#entries.delete(value);
    this.#forms -= e.forms.length;
    this.#pattern = undefined;
  }
}
