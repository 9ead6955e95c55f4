/**
 * Malformed catalog entries for fuzzing the connector's catalog validation. Every server address
 * a generated entry could make the connector dial is one of `safeServers` (the test's own
 * namespaces), and user-facing hosts end in `.fuzz.invalid`, so nothing here reaches outside the
 * test's network, whether an entry is rejected or, by chance, accepted.
 */
export interface FuzzContext {
  rand: () => number;
  /** Addresses inside the test's network the connector may probe. */
  safeServers: readonly string[];
  /** Ids and `host:port` targets a generated entry must never take (the good apps'). */
  reservedIds: readonly string[];
  /** Version number, so ids and hosts differ from one catalog to the next. */
  version: number;
  /** The server of the well-formed generated entries: one that answers, so users can be served. */
  liveServer: { host: string; port: number };
}

type Entry = unknown;

const CONTROL = ['\u0000', '\u0007', '\r\n', '\t', '\u001b[31m', '\u007f', '\u0085', '\u2028'];
const UNICODE = ['é', 'ü', '日本', '🙂', '\u202e', 'ß', 'İ', '\ufeff', 'Ａ'];
const NUMBERS = [-1, 0, -65535, 65536, 1e308, -1e308, 2 ** 53 + 1, 80.5, Number.MIN_VALUE, 1e21];
const NAN_ISH = ['NaN', 'Infinity', '-Infinity', '1e3', '0x50', '80 ', ' 80', '', 'null', '٨٠'];
const BAD_IDS = [
  123,
  null,
  [],
  {},
  true,
  '',
  '  ',
  'a b',
  'i'.repeat(200),
  'é',
  '-x',
  'a\u0000b',
  'a/b',
];
const BAD_NAMES = [123, null, [], {}, false, '', '   ', 'a\u0000b', 'n'.repeat(300), 'x\u2028y'];
const BAD_HOSTS = [
  123,
  null,
  [],
  {},
  '',
  'a b',
  'a_b.corp',
  '-a.corp',
  'a-.corp',
  'x'.repeat(300),
  '::1::',
  'http://a',
  'a..b',
];
const BAD_PATHS = [
  '/health check',
  '/a\u0000b',
  '/a\r\nHost: x',
  'health',
  '/%',
  '/%zz',
  '/a#b',
  '/ünïcode',
  '/\u2028',
  `/${'x'.repeat(3000)}`,
  '//a b',
  '/a\tb',
];

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

function junk(rand: () => number, depth = 0): unknown {
  const kinds = depth > 6 ? 5 : 8;
  switch (Math.floor(rand() * kinds)) {
    case 0:
      return null;
    case 1:
      return pick(rand, NUMBERS);
    case 2:
      return pick(rand, NAN_ISH);
    case 3:
      return rand() < 0.5;
    case 4:
      return `${pick(rand, UNICODE)}${pick(rand, CONTROL)}${pick(rand, UNICODE)}`;
    case 5:
      return [junk(rand, depth + 1), junk(rand, depth + 1)];
    case 6:
      return { type: junk(rand, depth + 1), nested: { deeper: junk(rand, depth + 1) } };
    default: {
      // Deep nesting: what a naive recursive reader might choke on.
      let v: unknown = 'bottom';
      for (let i = 0; i < 200; i++) v = [v];
      return v;
    }
  }
}

/** A well-formed entry of this version (used as the base every mutation starts from). */
function base(c: FuzzContext, n: number): Record<string, unknown> {
  return {
    id: `fuzz-${c.version}-${n}`,
    name: `Fuzz ${c.version}/${n}`,
    host: `f${c.version}-${n}.fuzz.invalid`,
    port: 1 + Math.floor(c.rand() * 65535),
    servers: [{ host: pick(c.rand, c.safeServers), port: 1 + Math.floor(c.rand() * 65535) }],
    healthCheck: { type: 'tcp' },
  };
}

/** One mutation of a good entry into a malformed one. */
const MUTATIONS: Array<(e: Record<string, unknown>, c: FuzzContext) => Entry> = [
  // wrong types
  (e, c) => ({ ...e, id: pick(c.rand, BAD_IDS) }),
  (e, c) => ({ ...e, name: pick(c.rand, BAD_NAMES) }),
  (e, c) => ({ ...e, host: pick(c.rand, BAD_HOSTS) }),
  (e, c) => ({ ...e, port: junk(c.rand) }),
  (e, c) => ({ ...e, servers: junk(c.rand) }),
  (e, c) => ({ ...e, servers: [junk(c.rand)] }),
  (e, c) => ({ ...e, strategy: junk(c.rand) }),
  (e, c) => ({ ...e, healthCheck: junk(c.rand) }),
  (_e, c) => junk(c.rand),
  // huge strings
  (e) => ({ ...e, host: 'h'.repeat(20_000) }),
  (e) => ({ ...e, name: 'n'.repeat(20_000) }),
  (e) => ({ ...e, id: 'i'.repeat(5_000) }),
  // control characters and unicode where they do not belong
  (e, c) => ({ ...e, id: `${e.id}${pick(c.rand, CONTROL)}` }),
  (e, c) => ({ ...e, name: `bad${pick(c.rand, CONTROL)}name` }),
  (e, c) => ({ ...e, host: `${pick(c.rand, UNICODE)}.fuzz.invalid` }),
  (e, c) => ({ ...e, servers: [{ host: `s${pick(c.rand, UNICODE)}.invalid`, port: 80 }] }),
  (e, c) => ({ ...e, servers: [{ host: `s${pick(c.rand, CONTROL)}x`, port: 80 }] }),
  // negative, huge and not-quite numbers
  (e, c) => ({ ...e, port: pick(c.rand, NUMBERS) }),
  (e, c) => ({ ...e, port: pick(c.rand, NAN_ISH) }),
  (e, c) => ({
    ...e,
    servers: [{ host: pick(c.rand, c.safeServers), port: pick(c.rand, NUMBERS) }],
  }),
  (e, c) => ({
    ...e,
    healthCheck: { type: 'http', path: '/', expectStatus: pick(c.rand, [...NUMBERS, 99, 600]) },
  }),
  (e, c) => ({
    ...e,
    healthCheck: { type: 'http', path: '/', expectStatus: pick(c.rand, NAN_ISH) },
  }),
  // what probes and the proxy would choke on
  (e, c) => ({ ...e, healthCheck: { type: 'http', path: pick(c.rand, BAD_PATHS) } }),
  (e, c) => ({
    ...e,
    healthCheck: {
      type: 'http',
      path: '/',
      method: pick(c.rand, ['POST', 'GET\r\n', 'DELETE', 'get', '', 'CONNECT']),
    },
  }),
  (e) => ({ ...e, host: '[::1]' }),
  (e) => ({ ...e, host: 'fe80::1%eth0' }),
  (e) => ({ ...e, servers: [] }),
  (e, c) => ({
    ...e,
    servers: Array.from({ length: 65 }, (_, i) => ({
      host: pick(c.rand, c.safeServers),
      port: i + 1,
    })),
  }),
  (e, c) => {
    const host = pick(c.rand, c.safeServers);
    return {
      ...e,
      servers: [
        { host, port: 81 },
        { host, port: 81 },
      ],
    };
  },
];

export interface FuzzCatalog {
  entries: unknown[];
  /** Generated entries that are well formed (they must be applied). */
  valid: Array<{ id: string; host: string; port: number }>;
  malformed: number;
}

/**
 * `count` generated entries for catalog version `c.version`: mostly malformed (every mutation
 * above), some pairs clashing (duplicate ids, one IPv6 address spelled two ways), and a few well
 * formed. The caller mixes in the good apps.
 */
export function fuzzCatalog(c: FuzzContext, count: number): FuzzCatalog {
  const entries: unknown[] = [];
  const valid: FuzzCatalog['valid'] = [];
  let malformed = 0;
  let n = 0;
  while (entries.length < count) {
    const r = c.rand();
    const e = base(c, n++);
    if (r < 0.04) {
      e.servers = [c.liveServer];
      entries.push(e);
      valid.push({ id: e.id as string, host: e.host as string, port: e.port as number });
    } else if (r < 0.1) {
      // Duplicate ids: both entries are rejected.
      entries.push(e, { ...base(c, n++), id: e.id });
      malformed += 2;
    } else if (r < 0.16) {
      // One IPv6 address, two spellings, same port: both entries are rejected.
      const port = e.port as number;
      const k = n;
      entries.push(
        { ...e, host: `FD00:${c.version}:0::${k}`, port },
        { ...base(c, n++), host: `fd00:${c.version}::${k}`, port },
      );
      malformed += 2;
    } else {
      entries.push(pick(c.rand, MUTATIONS)(e, c));
      malformed++;
    }
  }
  for (const id of c.reservedIds) {
    if (
      entries.some((x) => typeof x === 'object' && x !== null && (x as { id?: unknown }).id === id)
    ) {
      throw new Error(`generated entry took the reserved id ${id}`);
    }
  }
  return { entries, valid, malformed };
}
