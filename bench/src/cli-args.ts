import { parseArgs } from 'node:util';

/**
 * `--name value` (or `--name=value`) from the command line, read with `node:util` parseArgs:
 * the value, `true` when the option ends the line or another option follows it, undefined when
 * it is absent. Other options and words are left alone: each bench reads only its own.
 */
export function option(
  name: string,
  argv: string[] = process.argv.slice(2),
): string | true | undefined {
  const { tokens } = parseArgs({
    args: argv,
    options: { [name]: { type: 'string' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const t = tokens.find((x) => x.kind === 'option' && x.name === name);
  if (t?.kind !== 'option') return undefined;
  // parseArgs takes the next word as the value even when it is another option: that is no value.
  if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) return true;
  return t.value;
}

/** A positive whole number option (`--rounds 5`), or the fallback when absent. */
export function positiveInteger(name: string, fallback: number): number {
  const o = option(name);
  const v = o === undefined ? fallback : o === true ? Number.NaN : Number(o);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive whole number`);
  return v;
}

/** The words of the command line that are not options. */
export function positionals(argv: string[] = process.argv.slice(2)): string[] {
  return parseArgs({ args: argv, strict: false, allowPositionals: true }).positionals;
}
