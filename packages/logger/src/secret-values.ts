/**
 * Values that must never leave the process in a log line (the provisioning key, tokens, proxy
 * passwords). The logger scrubs every registered value from every line it writes, whatever
 * field or message it hides in, so a secret quoted in an error message is caught too.
 */
export class SecretValues {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  /** Registers a value; values shorter than 6 characters are ignored (they would scrub words). */
  add(value: string | undefined): void {
    if (!value || value.length < 6 || this.#values.has(value)) return;
    this.#values.add(value);
    // Also the JSON-escaped form, since lines are serialized before they are scrubbed.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) this.#values.add(escaped);
    this.#pattern = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (this.#values.size === 0) return text;
    if (!this.#pattern) {
      const alternatives = [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.#pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.#pattern, '[redacted]');
  }
}
