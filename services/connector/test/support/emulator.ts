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
export function adminApi(baseUrl: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<AdminResponse> => {
    const res = await fetch(new URL(path, baseUrl), {
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
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await call(method, path, body);
    if (r.status >= 300)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    call,
    async group(name = 'test-group'): Promise<string> {
      return (await ok('POST', '/admin/groups', { name })).id;
    },
    /** A new provisioning key (the full key is only in this answer). */
    async key(
      groupId: string,
      o: { maxUses?: number; expiresInSeconds?: number } = {},
    ): Promise<{ id: string; key: string }> {
      const b = await ok('POST', `/admin/groups/${groupId}/keys`, o);
      return { id: b.id, key: b.key };
    },
    revokeKey: (keyId: string) => ok('POST', `/admin/keys/${keyId}/revoke`),
    keyInfo: (keyId: string) => ok('GET', `/admin/keys/${keyId}`),
    connectors: () => ok('GET', '/admin/connectors') as Promise<Array<Record<string, unknown>>>,
    // biome-ignore lint/suspicious/noExplicitAny: admin view
    connector: (id: string) => ok('GET', `/admin/connectors/${id}`) as Promise<any>,
    setApps: (groupId: string, apps: unknown[]) => ok('PUT', `/admin/groups/${groupId}/apps`, apps),
    fault: (endpoint: string, spec: Record<string, unknown>) =>
      ok('PUT', `/admin/faults/${endpoint}`, spec),
    clearFaults: () => ok('DELETE', '/admin/faults'),
    setRelease: (manifest: unknown) => ok('PUT', '/admin/release', manifest),
  };
}

export interface TestEmulator {
  emu: RunningEmulator;
  admin: ReturnType<typeof adminApi>;
  sseUrl: string;
  caCertPath: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** The real emulator in-process over TLS on loopback (random ports unless given). */
export async function startTestEmulator(o: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'pa-conn-emu-')));
  const emu = await startEmulator({
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
    admin: adminApi(emu.adminUrl),
    sseUrl: emu.sseUrl,
    caCertPath: emu.caCertPath,
    dataDir,
    async stop() {
      await emu.close();
      if (!o.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
