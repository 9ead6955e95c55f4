import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from './config-error';
import { formatDuration, NODE_TIMER_LIMIT_MS, parseDuration } from './duration';
import { DNS_NAME_MAX_LENGTH, isHostname } from './hostname';
import { Secret } from './secret';
import { redactUrl } from './url-credentials';

export type Env = Record<string, string | undefined>;

/** One setting: where it comes from, what it means, how to read it. */
export interface Setting<T> {
  /** The environment variable (for secrets: the value is read from `${env}_FILE`). */
  readonly env: string;
  readonly description: string;
  /** The default as a value would be written, for docs; undefined when there is none to show. */
  readonly defaultText: string | undefined;
  /**
   * For docs, in words, when there is no defaultText: what happens with the setting unset
   * (`required`, `none`, `the system's trusted roots`, `the VM hostname`).
   */
  readonly unsetText?: string;
  readonly secret: boolean;
  read(env: Env): T;
}

interface Common<T> {
  env: string;
  description: string;
  default?: T;
  /**
   * For docs, in words instead of a value: what unset means for an optional setting (otherwise
   * `none`), or a default that depends on the host (the VM's hostname), which a table must not
   * freeze.
   */
  docDefault?: string;
}

type Opt<T, O> = O extends { default: T } ? T : O extends { optional: true } ? T | undefined : T;

function make<T>(
  o: Common<T> & { optional?: boolean; secret?: boolean },
  parse: (raw: string, env: string) => T,
  show: (v: T) => string = String,
): Setting<T> {
  return {
    env: o.env,
    description: o.description,
    defaultText:
      o.default === undefined || o.docDefault !== undefined ? undefined : show(o.default),
    unsetText:
      o.docDefault ?? (o.default !== undefined ? undefined : o.optional ? 'none' : 'required'),
    secret: o.secret ?? false,
    read(env: Env): T {
      const raw = env[o.env];
      if (raw === undefined || raw.trim() === '') {
        if (o.default !== undefined) {
          checkDefault(o.env, show(o.default), parse);
          return o.default;
        }
        if (o.optional) return undefined as T;
        throw new ConfigError(o.env, 'is required but not set');
      }
      return parse(raw.trim(), o.env);
    },
  };
}

/** A default passes the same checks as a value given in the environment. */
function checkDefault<T>(env: string, shown: string, parse: (raw: string, env: string) => T): void {
  try {
    parse(shown, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(env, `has an invalid default ${JSON.stringify(shown)}: ${err.reason}`);
  }
}

/**
 * True for an RFC 1123 hostname (a trailing dot allowed, 253 characters at most with it) or an
 * IPv4/IPv6 literal (without brackets).
 */
export function isHostOrIp(text: string): boolean {
  if (isIP(text) !== 0) return true;
  return text.length <= DNS_NAME_MAX_LENGTH && isHostname(text.replace(/\.$/, ''));
}

function parseUrl(raw: string, env: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(env, `is not a URL: ${JSON.stringify(redactUrl(raw))}`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new ConfigError(env, `must use ${protocols.join(' or ')}, got ${url.protocol}`);
  }
  return url;
}

export const setting = {
  string<
    O extends Common<string> & {
      optional?: boolean;
      /** A RegExp, or any rule with its `test` (such as one of `hostname.ts`). */
      pattern?: { test(raw: string): boolean };
      patternText?: string;
    },
  >(o: O): Setting<Opt<string, O>> {
    return make(o, (raw, env) => {
      if (o.pattern && !o.pattern.test(raw)) {
        throw new ConfigError(
          env,
          `must be ${o.patternText ?? `like ${o.pattern}`}, got ${JSON.stringify(raw)}`,
        );
      }
      return raw;
    }) as Setting<Opt<string, O>>;
  },

  int<O extends Common<number> & { optional?: boolean; min?: number; max?: number }>(
    o: O,
  ): Setting<Opt<number, O>> {
    return make(o, (raw, env) => {
      if (!/^-?\d+$/.test(raw))
        throw new ConfigError(env, `must be a whole number, got ${JSON.stringify(raw)}`);
      const n = Number(raw);
      if (o.min !== undefined && n < o.min)
        throw new ConfigError(env, `must be at least ${o.min}, got ${n}`);
      if (o.max !== undefined && n > o.max)
        throw new ConfigError(env, `must be at most ${o.max}, got ${n}`);
      return n;
    }) as Setting<Opt<number, O>>;
  },

  /** A TCP port, 0 (pick a free one) to 65535. */
  port<O extends Common<number> & { optional?: boolean }>(o: O): Setting<Opt<number, O>> {
    return setting.int({ ...o, min: 0, max: 65535 }) as Setting<Opt<number, O>>;
  },

  bool<O extends Common<boolean> & { optional?: boolean }>(o: O): Setting<Opt<boolean, O>> {
    return make(o, (raw, env) => {
      const v = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(env, `must be true or false, got ${JSON.stringify(raw)}`);
    }) as Setting<Opt<boolean, O>>;
  },

  /**
   * Milliseconds, written `250ms`, `30s`, `5m`, `1h`, `2d` (a bare number means seconds). Every
   * duration has a maximum; one above Node's timer limit (24.8 days) must say `notATimer`,
   * because a socket timeout or a raw timer would fire such a delay after 1 ms.
   */
  duration<
    O extends Common<number> & {
      optional?: boolean;
      min?: number;
      max: number;
      notATimer?: boolean;
    },
  >(o: O): Setting<Opt<number, O>> {
    if (o.max > NODE_TIMER_LIMIT_MS && !o.notATimer)
      throw new RangeError(`${o.env}: a maximum of ${o.max}ms is past Node's timer limit`);
    return make(
      o,
      (raw, env) => {
        const ms = parseDuration(raw);
        if (ms === undefined)
          throw new ConfigError(
            env,
            `must be a duration like 30s, 5m or 250ms, got ${JSON.stringify(raw)}`,
          );
        if (o.min !== undefined && ms < o.min)
          throw new ConfigError(env, `must be at least ${formatDuration(o.min)}, got ${raw}`);
        if (ms > o.max)
          throw new ConfigError(env, `must be at most ${formatDuration(o.max)}, got ${raw}`);
        return ms;
      },
      formatDuration,
    ) as Setting<Opt<number, O>>;
  },

  /** A number strictly between 0 and 1, written `0.8` or `2/3`. */
  fraction<O extends Common<number> & { optional?: boolean; defaultText?: string }>(
    o: O,
  ): Setting<Opt<number, O>> {
    return make(
      o,
      (raw, env) => {
        const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(raw);
        const v = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : Number.NaN;
        if (!(v > 0 && v < 1)) {
          throw new ConfigError(
            env,
            `must be a fraction between 0 and 1 such as 0.8 or 2/3, got ${JSON.stringify(raw)}`,
          );
        }
        return v;
      },
      // 2/3 has no short decimal: the setting may say how its default is written.
      (v) => (v === o.default && o.defaultText !== undefined ? o.defaultText : String(v)),
    ) as Setting<Opt<number, O>>;
  },

  /**
   * A kind of its own: `parse` turns the trimmed text into the value or throws a ConfigError
   * (naming `env`); `show` writes a value back as text that `parse` reads, so a default is
   * checked like a given value and shown in the docs. `secret` marks a `*_FILE` setting whose
   * file holds a secret (the docs then say `file path`).
   */
  custom<T, O extends Common<T> & { optional?: boolean; secret?: boolean }>(
    o: O & { parse: (raw: string, env: string) => T; show?: (v: T) => string },
  ): Setting<Opt<T, O>> {
    return make<T>(o, o.parse, o.show) as Setting<Opt<T, O>>;
  },

  enum<V extends string, O extends Common<V> & { optional?: boolean; values: readonly V[] }>(
    o: O,
  ): Setting<Opt<V, O>> {
    return make(o, (raw, env) => {
      if (!(o.values as readonly string[]).includes(raw)) {
        throw new ConfigError(
          env,
          `must be one of ${o.values.join(', ')}, got ${JSON.stringify(raw)}`,
        );
      }
      return raw as V;
    }) as Setting<Opt<V, O>>;
  },

  url<O extends Common<URL> & { optional?: boolean; protocols?: readonly string[] }>(
    o: O,
  ): Setting<Opt<URL, O>> {
    const protocols = o.protocols ?? ['http', 'https'];
    return make(
      o,
      (raw, env) => parseUrl(raw, env, protocols),
      (u) => redactUrl(u.href),
    ) as Setting<Opt<URL, O>>;
  },

  /** Comma-separated URLs, at least one. */
  urlList<O extends Common<URL[]> & { optional?: boolean; protocols?: readonly string[] }>(
    o: O,
  ): Setting<Opt<URL[], O>> {
    const protocols = o.protocols ?? ['http', 'https'];
    return make(
      o,
      (raw, env) => {
        const parts = raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (parts.length === 0) throw new ConfigError(env, 'must list at least one URL');
        return parts.map((p) => parseUrl(p, env, protocols));
      },
      (v) => v.map((u) => u.href).join(','),
    ) as Setting<Opt<URL[], O>>;
  },

  /** Comma-separated words. */
  list<
    O extends Common<string[]> & {
      optional?: boolean;
      item?: (s: string) => boolean;
      itemText?: string;
    },
  >(o: O): Setting<Opt<string[], O>> {
    return make(
      o,
      (raw, env) => {
        const items = raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const it of items) {
          if (o.item && !o.item(it))
            throw new ConfigError(
              env,
              `has ${JSON.stringify(it)}, which is not ${o.itemText ?? 'valid'}`,
            );
        }
        return items;
      },
      (v) => v.join(','),
    ) as Setting<Opt<string[], O>>;
  },

  /** A hostname or IP literal. */
  host<O extends Common<string> & { optional?: boolean }>(o: O): Setting<Opt<string, O>> {
    return make(o, (raw, env) => {
      if (!isHostOrIp(raw))
        throw new ConfigError(env, `is not a hostname or IP address: ${JSON.stringify(raw)}`);
      return raw;
    }) as Setting<Opt<string, O>>;
  },

  /**
   * A secret. Read only from the file named by `${env}_FILE` (so it never sits in the process
   * environment or arguments); setting `${env}` itself is refused. Trailing newlines are dropped.
   */
  secret<O extends { env: string; description: string; optional?: boolean }>(
    o: O,
  ): Setting<O extends { optional: true } ? Secret | undefined : Secret> {
    const fileEnv = `${o.env}_FILE`;
    return {
      env: fileEnv,
      description: o.description,
      defaultText: undefined,
      unsetText: o.optional ? 'none' : 'required',
      secret: true,
      read(env: Env) {
        if (env[o.env] !== undefined && env[o.env] !== '') {
          throw new ConfigError(
            o.env,
            `secrets are not taken from the environment; put it in a file (mode 0600) and set ${fileEnv}`,
          );
        }
        const path = env[fileEnv]?.trim();
        if (!path) {
          if (o.optional) return undefined as never;
          throw new ConfigError(fileEnv, 'is required but not set');
        }
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'error';
          throw new ConfigError(fileEnv, `cannot read ${path} (${code})`, { cause: err });
        }
        const value = text.replace(/[\r\n]+$/, '');
        if (value === '') throw new ConfigError(fileEnv, `${path} is empty`);
        return new Secret(value) as never;
      },
    };
  },
};
