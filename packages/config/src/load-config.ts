import { ConfigError } from './config-error';
import type { Env, Setting } from './settings';

export type Schema = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: ReturnType<S[K]['read']> };

/**
 * Reads every setting of the schema from the environment. The first bad setting throws a
 * ConfigError naming it; a service's main turns that into a one-line message and exit 78.
 */
export function loadConfig<S extends Schema>(schema: S, env: Env = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(schema)) {
    out[key] = s.read(env);
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** Every `PA_*` variable set in the environment that no setting of the schema reads. */
export function unknownSettings(schema: Schema, env: Env = process.env, prefix = 'PA_'): string[] {
  const known = new Set<string>();
  for (const s of Object.values(schema)) {
    known.add(s.env);
    if (s.secret) known.add(s.env.replace(/_FILE$/, ''));
  }
  return Object.keys(env)
    .filter((k) => k.startsWith(prefix) && !known.has(k))
    .sort();
}

/** A markdown table of the schema, for READMEs. */
export function describeSchema(schema: Schema): string {
  const rows = Object.values(schema).map(
    (s) =>
      `| \`${s.env}\` | ${s.defaultText === undefined ? (s.secret ? 'file path' : '—') : `\`${s.defaultText}\``} | ${s.description} |`,
  );
  return ['| setting | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

export { ConfigError };
