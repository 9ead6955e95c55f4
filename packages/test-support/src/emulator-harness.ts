import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@pa-connector/logger';
import {
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from '@pa-connector/sse-emulator';

export interface AdminResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: admin API bodies in tests
  body: any;
}

/** The emulator's admin API, as a test drives it. */
export function emulatorAdmin(adminUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<AdminResponse> => {
    const res = await fetch(new URL(path, adminUrl), {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body: parsed };
  };
  /** The answer's body; any status from 300 up is an error naming the call. */
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    if (r.status >= 300)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const group = async (name = 'test-group'): Promise<string> =>
    (await ok('POST', '/admin/groups', { name })).id;
  /** A new group with its own key, usable maxConnectors times (the full key is only here). */
  const groupWithKey = async (
    name = 'test-group',
    maxConnectors = 1,
  ): Promise<{ id: string; keyId: string; key: string }> => {
    const b = await ok('POST', '/admin/groups', { name, maxConnectors });
    return { id: b.id, keyId: b.keyId, key: b.key };
  };
  /** A new provisioning key (the full key is only in this answer). */
  const key = async (
    groupId: string,
    o: { maxUses?: number; expiresInSeconds?: number } = {},
  ): Promise<{ id: string; key: string }> => {
    const b = await ok('POST', `/admin/groups/${groupId}/keys`, o);
    return { id: b.id, key: b.key };
  };
  return {
    call,
    ok,
    group,
    groupWithKey,
    key,
    /** A new group and a one-use provisioning key for it: the full key. */
    provisioningKey: async (groupName?: string): Promise<string> =>
      (await key(await group(groupName), { maxUses: 1 })).key,
    revokeKey: (keyId: string) => ok('POST', `/admin/keys/${keyId}/revoke`),
    /** Revokes the group's own key; the answer has the new key whole and `revokedKeyId`. */
    rotateKey: (groupId: string) => ok('POST', `/admin/groups/${groupId}/keys/rotate`),
    keyInfo: (keyId: string) => ok('GET', `/admin/keys/${keyId}`),
    connectors: () => ok('GET', '/admin/connectors') as Promise<Array<Record<string, unknown>>>,
    /** The ids of the registered connectors, in registration order. */
    connectorIds: async (): Promise<string[]> =>
      ((await ok('GET', '/admin/connectors')) as Array<{ id: string }>).map((c) => c.id),
    // biome-ignore lint/suspicious/noExplicitAny: admin view
    connector: (id: string) => ok('GET', `/admin/connectors/${id}`) as Promise<any>,
    setApps: (groupId: string, apps: unknown[]) => ok('PUT', `/admin/groups/${groupId}/apps`, apps),
    fault: (endpoint: string, spec: Record<string, unknown>) =>
      ok('PUT', `/admin/faults/${endpoint}`, spec),
    clearFaults: () => ok('DELETE', '/admin/faults'),
    setRelease: (manifest: unknown) => ok('PUT', '/admin/release', manifest),
  };
}

export type EmulatorAdmin = ReturnType<typeof emulatorAdmin>;

/** What the harness needs of a running emulator. */
export interface HarnessedEmulator {
  sseUrl: string;
  adminUrl: string;
  caCertPath: string;
  close(): Promise<void>;
}

export interface EmulatorHarness<E extends HarnessedEmulator = RunningEmulator> {
  emu: E;
  admin: EmulatorAdmin;
  /** Where the SSE API answers (TLS, loopback). */
  sseUrl: string;
  /** The emulator's CA certificate, as a connector's `PA_SSE_CA_FILE`. */
  caCertPath: string;
  dataDir: string;
  /** Closes the emulator and removes its data directory unless the caller gave it. */
  stop(): Promise<void>;
}

/**
 * The real emulator in this process over TLS on loopback: free ports, a temporary data
 * directory and a silent logger unless given.
 */
export function startEmulatorHarness(o: Partial<EmulatorOptions> = {}): Promise<EmulatorHarness> {
  return startEmulatorHarnessWith(startEmulator, o);
}

/**
 * The same harness around a given `startEmulator`. The emulator's own tests pass the one from
 * its source: its `RunningEmulator` holds classes with private fields, so the source types and
 * the built ones this package sees are not interchangeable.
 */
export async function startEmulatorHarnessWith<E extends HarnessedEmulator>(
  start: (o: EmulatorOptions) => Promise<E>,
  o: Partial<EmulatorOptions> = {},
): Promise<EmulatorHarness<E>> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'pa-emulator-')));
  const emu = await start({
    host: '127.0.0.1',
    port: 0,
    adminHost: '127.0.0.1',
    adminPort: 0,
    logger: createLogger({ service: 'sse-emulator', level: 'silent' }),
    ...o,
    dataDir,
  });
  return {
    emu,
    admin: emulatorAdmin(emu.adminUrl),
    sseUrl: emu.sseUrl,
    caCertPath: emu.caCertPath,
    dataDir,
    async stop() {
      await emu.close();
      if (!o.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
