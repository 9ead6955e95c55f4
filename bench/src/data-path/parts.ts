/** The parts of the data-path bench, each runnable alone (`--parts latency,rate`). */
export const PARTS = ['throughput', 'latency', 'rate', 'rss', 'failover', 'group'] as const;
export type Part = (typeof PARTS)[number];

/**
 * `--parts a,b` as a set (every part when absent); `--group-only` is `--parts group`.
 * An unknown name is an error, so a typo never runs a silently smaller bench.
 */
export function selectedParts(value: string | true | undefined, groupOnly: boolean): Set<Part> {
  if (groupOnly) return new Set(['group']);
  if (value === undefined) return new Set(PARTS);
  if (value === true) throw new Error(`--parts needs a list of: ${PARTS.join(', ')}`);
  const out = new Set<Part>();
  for (const word of value.split(',').map((w) => w.trim())) {
    if (!(PARTS as readonly string[]).includes(word)) {
      throw new Error(`--parts: unknown part "${word}" (known: ${PARTS.join(', ')})`);
    }
    out.add(word as Part);
  }
  return out;
}
