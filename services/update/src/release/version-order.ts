/** The parts of a version: `v1.0.0.3` and `1.0.0.3` give [1, 0, 0, 3]; a pre-release tag is kept. */
function parts(version: string): { numbers: number[]; pre: string } | undefined {
  const m = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!m) return undefined;
  return { numbers: (m[1] as string).split('.').map(Number), pre: m[2] ?? '' };
}

/** True for versions compareVersions understands (dotted numbers, optional `v`, `-pre`, `+build`). */
export function isVersion(version: string): boolean {
  return parts(version) !== undefined;
}

/**
 * Orders two versions: negative when a < b, 0 when equal, positive when a > b. Missing parts
 * count as 0 (`1.0` = `1.0.0.0`); a pre-release comes before its release (`1.1.0-rc1` < `1.1.0`).
 * Throws on a version it cannot read, naming it.
 */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  if (!pa) throw new Error(`"${a}" is not a version (digits and dots, like 1.0.0.3)`);
  if (!pb) throw new Error(`"${b}" is not a version (digits and dots, like 1.0.0.3)`);
  const n = Math.max(pa.numbers.length, pb.numbers.length);
  for (let i = 0; i < n; i++) {
    const d = (pa.numbers[i] ?? 0) - (pb.numbers[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === '') return 1;
  if (pb.pre === '') return -1;
  return comparePreRelease(pa.pre, pb.pre);
}

/**
 * Semver's order of pre-release tags: dot-separated identifiers compared left to right, numeric
 * ones as numbers (`rc.2` < `rc.10`) and before alphanumeric ones, alphanumeric ones as ASCII
 * text; a tag that is a prefix of the other comes first (`rc` < `rc.1`).
 */
function comparePreRelease(a: string, b: string): number {
  const ia = a.split('.');
  const ib = b.split('.');
  const numeric = /^\d+$/;
  for (let i = 0; i < Math.min(ia.length, ib.length); i++) {
    const x = ia[i] as string;
    const y = ib[i] as string;
    if (x === y) continue;
    const nx = numeric.test(x);
    const ny = numeric.test(y);
    if (nx && ny) return Number(x) - Number(y) || (x < y ? -1 : 1);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return ia.length - ib.length;
}
