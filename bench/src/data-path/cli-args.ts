import { option } from '../cli-args';

/** `--name value` from argv, or the fallback when absent; a flag without a value is an error. */
export function flag(name: string, fallback?: string): string {
  const v = option(name);
  if (v === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

/** A positive number flag (`--seconds 5`), checked. */
export function positive(name: string, fallback: number): number {
  const v = Number(flag(name, String(fallback)));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
