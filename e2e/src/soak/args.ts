/** What `pnpm soak` was asked for. */
export interface SoakArgs {
  /** How long faults keep being injected (whole minutes, 1..1440). */
  minutes: number;
  /** A resource sample every this many minutes (default 10, or `minutes` when that is less). */
  intervalMinutes: number;
  /** No progress line per fault, only the stack's start, the samples and the tables. */
  quiet: boolean;
}

export type ParsedArgs = { ok: true; args: SoakArgs } | { ok: false; help?: true; reason: string };

const USAGE = [
  'usage: pnpm soak --minutes N [--interval-minutes M] [--quiet]   (as root)',
  '  --minutes N           run the fault table again and again under user load for N minutes (1..1440)',
  '  --interval-minutes M  sample RSS, descriptors, heap used and event loop delay every M minutes (default 10, at most N)',
  '  --quiet               no line per fault',
].join('\n');

const MAX_MINUTES = 1440;

function wholeMinutes(name: string, value: string | undefined): number | string {
  if (value === undefined || value.startsWith('--')) return `${name} needs a number of minutes`;
  if (!/^[0-9]+$/.test(value)) return `${name} must be a positive whole number, not '${value}'`;
  const n = Number(value);
  if (n < 1 || n > MAX_MINUTES) return `${name} must be between 1 and ${MAX_MINUTES}, not ${value}`;
  return n;
}

/** `--minutes N` (required), `--interval-minutes M`, `--quiet`; `--name=value` works too. */
export function parseSoakArgs(argv: readonly string[]): ParsedArgs {
  let minutes: number | undefined;
  let intervalMinutes: number | undefined;
  let quiet = false;
  const words = argv.flatMap((a) => (/^--[a-z-]+=/.test(a) ? a.split(/=(.*)/s, 2) : [a]));
  for (let i = 0; i < words.length; i++) {
    const a = words[i] as string;
    if (a === '--help' || a === '-h') return { ok: false, help: true, reason: USAGE };
    if (a === '--quiet') quiet = true;
    else if (a === '--minutes' || a === '--interval-minutes') {
      const n = wholeMinutes(a, words[++i]);
      if (typeof n === 'string') return { ok: false, reason: n };
      if (a === '--minutes') minutes = n;
      else intervalMinutes = n;
    } else return { ok: false, reason: `unknown argument '${a}' (try --help)` };
  }
  if (minutes === undefined) return { ok: false, reason: '--minutes N is required (try --help)' };
  if (intervalMinutes === undefined) intervalMinutes = Math.min(10, minutes);
  if (intervalMinutes > minutes) {
    return {
      ok: false,
      reason: `--interval-minutes ${intervalMinutes} is longer than --minutes ${minutes}`,
    };
  }
  return { ok: true, args: { minutes, intervalMinutes, quiet } };
}
