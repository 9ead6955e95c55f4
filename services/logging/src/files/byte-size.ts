import { ConfigError, setting } from '@pa-connector/config';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `512`, `64KiB`, `10MiB`, `1GiB` (binary units; `MB` means MiB too) into bytes, or undefined. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}

/** A size setting such as `10MiB`. */
export function byteSize(o: { env: string; description: string; default: number; min: number }) {
  return setting.custom({
    ...o,
    parse(raw, env): number {
      const n = parseByteSize(raw);
      if (n === undefined) {
        throw new ConfigError(
          env,
          `must be a size like 512KiB, 10MiB or 1GiB, got ${JSON.stringify(raw)}`,
        );
      }
      if (n < o.min) {
        throw new ConfigError(env, `must be at least ${formatByteSize(o.min)}, got ${raw}`);
      }
      return n;
    },
    show: formatByteSize,
  });
}
