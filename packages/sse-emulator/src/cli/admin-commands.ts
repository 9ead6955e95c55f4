import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDurationSeconds } from '../config/durations';
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
}

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
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...COMMON, ...spec.flags },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    call: spec.build(values),
    adminUrl: values['admin-url'],
    tokenFile: values['admin-token-file'],
  };
}

type Flags = Record<string, { type: 'string' }>;
const COMMANDS: Record<
  string,
  { flags: Flags; build: (v: Record<string, string | undefined>) => AdminCall }
> = {
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
        ...(v.region ? { region: v.region } : {}),
        ...(v['customer-id'] !== undefined ? { customerId: v['customer-id'] } : {}),
        ...(v['max-connectors'] !== undefined
          ? { maxConnectors: positiveInteger(v, 'max-connectors') }
          : {}),
      },
    }),
  },
  'group list': { flags: {}, build: () => ({ method: 'GET', path: '/admin/groups' }) },
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
        const s = parseDurationSeconds(v['expires-in']);
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

function required(v: Record<string, string | undefined>, name: string): string {
  const value = v[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function positiveInteger(v: Record<string, string | undefined>, name: string): number {
  const value = v[name] ?? '';
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
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error: { message: string } }).error.message;
    } catch {}
    throw new Error(`${call.method} ${call.path}: ${res.status} ${message}`);
  }
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
