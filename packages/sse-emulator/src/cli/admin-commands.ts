import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDurationSeconds } from '../config/durations';
import { type GroupViewAnswer, groupTable } from './group-table';
import { readAdminToken } from './serve-options';
import { UsageError } from './usage-error';

const COMMON = {
  'admin-url': { type: 'string' },
  'admin-token-file': { type: 'string' },
} as const;

interface AdminCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  /** How the answer is printed (default: the JSON as it came). */
  print?: (answer: unknown) => string;
}

type Values = Record<string, string | boolean | undefined>;

/** Turns `group create --name x` etc. into an admin API call. */
function adminCall(
  noun: string,
  verb: string,
  argv: string[],
): {
  call: AdminCall;
  adminUrl: string | undefined;
  tokenFile: string | undefined;
} {
  const spec = COMMANDS[`${noun} ${verb}`];
  if (!spec) throw new UsageError(`unknown command "${noun} ${verb}"`);
  let values: Values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...COMMON, ...spec.flags },
      strict: true,
      allowPositionals: false,
    }) as { values: Values });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    call: spec.build(values),
    adminUrl: values['admin-url'] as string | undefined,
    tokenFile: values['admin-token-file'] as string | undefined,
  };
}

type Flags = Record<string, { type: 'string' } | { type: 'boolean' }>;
const COMMANDS: Record<string, { flags: Flags; build: (v: Values) => AdminCall }> = {
  'group create': {
    flags: {
      name: { type: 'string' },
      region: { type: 'string' },
      'max-connectors': { type: 'string' },
      'customer-id': { type: 'string' },
    },
    build: (v) => ({
      method: 'POST',
      path: '/admin/groups',
      body: {
        name: required(v, 'name'),
        ...(v.region !== undefined ? { region: v.region } : {}),
        ...(v['customer-id'] !== undefined ? { customerId: v['customer-id'] } : {}),
        ...(v['max-connectors'] !== undefined
          ? { maxConnectors: positiveInteger(v, 'max-connectors') }
          : {}),
      },
    }),
  },
  'group list': { flags: {}, build: () => ({ method: 'GET', path: '/admin/groups' }) },
  'group view': {
    flags: { group: { type: 'string' }, json: { type: 'boolean' } },
    build: (v) => ({
      method: 'GET',
      path: `/admin/groups/${segment(required(v, 'group'))}/view`,
      ...(v.json ? {} : { print: (answer) => groupTable(answer as GroupViewAnswer) }),
    }),
  },
  'group slot-free': {
    flags: { group: { type: 'string' } },
    build: (v) => ({
      method: 'DELETE',
      path: `/admin/groups/${segment(required(v, 'group'))}/update-slot`,
    }),
  },
  'app create': {
    flags: {
      id: { type: 'string' },
      name: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      servers: { type: 'string' },
      strategy: { type: 'string' },
      'health-check': { type: 'string' },
      groups: { type: 'string' },
    },
    build: (v) => ({
      method: 'POST',
      path: '/admin/apps',
      body: {
        ...(v.id !== undefined ? { id: v.id } : {}),
        name: required(v, 'name'),
        host: required(v, 'host'),
        port: portNumber(required(v, 'port'), '--port'),
        servers: list(required(v, 'servers')).map(server),
        strategy: v.strategy ?? 'round-robin',
        healthCheck: healthCheck((v['health-check'] as string | undefined) ?? 'tcp'),
        ...(v.groups !== undefined ? { groups: list(v.groups as string) } : {}),
      },
    }),
  },
  'app list': { flags: {}, build: () => ({ method: 'GET', path: '/admin/apps' }) },
  'app groups': {
    flags: { app: { type: 'string' }, groups: { type: 'string' } },
    build: (v) => {
      if (typeof v.groups !== 'string') throw new UsageError('--groups is required (may be "")');
      return {
        method: 'PUT',
        path: `/admin/apps/${segment(required(v, 'app'))}/groups`,
        body: { groups: list(v.groups) },
      };
    },
  },
  'app delete': {
    flags: { app: { type: 'string' } },
    build: (v) => ({ method: 'DELETE', path: `/admin/apps/${segment(required(v, 'app'))}` }),
  },
  'key create': {
    flags: {
      group: { type: 'string' },
      'max-uses': { type: 'string' },
      'expires-in': { type: 'string' },
    },
    build: (v) => {
      const body: Record<string, number> = {};
      if (v['max-uses'] !== undefined) body.maxUses = positiveInteger(v, 'max-uses');
      if (v['expires-in'] !== undefined) {
        const s = parseDurationSeconds(v['expires-in'] as string);
        if (s === undefined) throw new UsageError('--expires-in must be a duration like 30m or 7d');
        body.expiresInSeconds = s;
      }
      return { method: 'POST', path: `/admin/groups/${segment(required(v, 'group'))}/keys`, body };
    },
  },
  'key list': {
    flags: { group: { type: 'string' } },
    build: (v) => ({ method: 'GET', path: `/admin/groups/${segment(required(v, 'group'))}/keys` }),
  },
  'key rotate': {
    flags: { group: { type: 'string' } },
    build: (v) => ({
      method: 'POST',
      path: `/admin/groups/${segment(required(v, 'group'))}/keys/rotate`,
    }),
  },
  'key revoke': {
    flags: { key: { type: 'string' } },
    build: (v) => ({ method: 'POST', path: `/admin/keys/${segment(required(v, 'key'))}/revoke` }),
  },
  'connector list': { flags: {}, build: () => ({ method: 'GET', path: '/admin/connectors' }) },
  'ca get': { flags: {}, build: () => ({ method: 'GET', path: '/admin/ca' }) },
};

export const ADMIN_COMMANDS = Object.keys(COMMANDS);

function required(v: Values, name: string): string {
  const value = v[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

/** `a,b, c` -> ['a','b','c'] (empty parts dropped: "" is the empty list). */
function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function portNumber(value: string, what: string): number {
  if (!/^[1-9]\d{0,4}$/.test(value) || Number(value) > 65_535) {
    throw new UsageError(`${what} must be a port number 1-65535, got "${value}"`);
  }
  return Number(value);
}

/** `host:port`, an IPv6 address in brackets: one server of the app. */
function server(spec: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):([^:]+)$/.exec(spec);
  if (!m) throw new UsageError(`--servers takes host:port[,host:port...], got "${spec}"`);
  return { host: (m[1] ?? m[2]) as string, port: portNumber(m[3] as string, `--servers ${spec}`) };
}

/** `tcp`, or `http:/path` (a GET that must answer 200). */
function healthCheck(spec: string) {
  if (spec === 'tcp') return { type: 'tcp' as const };
  const m = /^http:(\/\S*)$/.exec(spec);
  if (!m) throw new UsageError(`--health-check must be tcp or http:/path, got "${spec}"`);
  return { type: 'http' as const, path: m[1] as string, expectStatus: 200 };
}

function positiveInteger(v: Values, name: string): number {
  const value = (v[name] as string | undefined) ?? '';
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new UsageError(`--${name} must be a positive integer`);
  return Number(value);
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

/** Runs the call; prints the response body to stdout. Non-2xx -> Error with the API's message. */
export async function runAdminCommand(noun: string, verb: string, argv: string[]): Promise<void> {
  const { call, adminUrl, tokenFile } = adminCall(noun, verb, argv);
  const base = adminUrl ?? process.env.PA_EMULATOR_ADMIN_URL ?? 'http://127.0.0.1:8444';
  const token = tokenFile ? await readAdminToken(tokenFile, (p) => readFile(p, 'utf8')) : undefined;
  const headers: Record<string, string> = {};
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(new URL(call.path, base), {
      method: call.method,
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
    });
  } catch (err) {
    throw new Error(
      `cannot reach the admin API at ${base}: ${(err as Error).cause ?? (err as Error).message}`,
    );
  }
  let text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {}
    throw new Error(`${call.method} ${call.path}: ${res.status} ${message}`);
  }
  if (call.print) text = call.print(JSON.parse(text));
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
