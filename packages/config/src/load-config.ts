import { ConfigError } from './config-error';
import type { Env, Setting } from './settings';

export type Schema = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: ReturnType<S[K]['read']> };

/**
 * Reads every setting of the schema from the environment. The first bad setting throws a
 * ConfigError naming it; a service's main turns that into a one-line message and exit 78 (`ExitCode.config`).
 */
export function loadConfig<S extends Schema>(schema: S, env: Env = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(schema)) {
    out[key] = s.read(env);
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** Every variable a setting of the schema reads (a secret's `X_FILE` and `X`, which it refuses). */
export function knownSettings(schema: Schema): Set<string> {
  const known = new Set<string>();
  for (const s of Object.values(schema)) {
    known.add(s.env);
    if (s.secret) known.add(s.env.replace(/_FILE$/, ''));
  }
  return known;
}

/** Every `PA_*` variable set in the environment that no setting of the schema reads. */
export function unknownSettings(
  schema: Schema,
  env: Env = process.env,
  prefix = 'PA_',
  alsoKnown: readonly string[] = [],
): string[] {
  const known = knownSettings(schema);
  for (const k of alsoKnown) known.add(k);
  return Object.keys(env)
    .filter((k) => k.startsWith(prefix) && !known.has(k))
    .sort();
}

/**
 * Refuses the first `PA_*` variable the service does not read (a mistyped setting would
 * otherwise leave its default in force without a word), naming the closest known setting.
 */
export function refuseUnknownSettings(
  schema: Schema,
  env: Env = process.env,
  alsoKnown: readonly string[] = [],
): void {
  const [unknown] = unknownSettings(schema, env, 'PA_', alsoKnown);
  if (unknown === undefined) return;
  const closest = closestName(unknown, [...knownSettings(schema)]);
  throw new ConfigError(
    unknown,
    `is not a setting of this service${closest ? `; did you mean ${closest}?` : ''}`,
  );
}

/** The candidate nearest to `name` by edit distance, if near enough to be a typo of it. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of [...candidates].sort()) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // Past a third of the name, the suggestion would be a guess rather than a correction.
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
