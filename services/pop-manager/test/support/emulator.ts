import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@pa-connector/logger';
import type { PopStatusReport } from '@pa-connector/sse-api';
import { type RunningEmulator, startEmulator } from '@pa-connector/sse-emulator';

export interface ReceivedStatus {
  receivedAt: string;
  body: PopStatusReport;
}

/** The real emulator in this process (TLS on loopback, free ports) and its admin API. */
export async function startTestEmulator() {
  const dataDir = await mkdtemp(join(tmpdir(), 'pa-pm-emu-'));
  const emu: RunningEmulator = await startEmulator({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    adminHost: '127.0.0.1',
    adminPort: 0,
    logger: createLogger({ service: 'sse-emulator', level: 'silent' }),
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, emu.adminUrl), {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    sseUrl: emu.sseUrl,
    caCertPath: emu.caCertPath,
    /** A group and a one-use provisioning key for it. */
    async provisioningKey(): Promise<string> {
      const group = await call('POST', '/admin/groups', { name: 'pop-manager-test' });
      return (await call('POST', `/admin/groups/${group.id}/keys`, { maxUses: 1 })).key;
    },
    async connectorId(): Promise<string | undefined> {
      const list = (await call('GET', '/admin/connectors')) as Array<{ id: string }>;
      return list[0]?.id;
    },
    /** The POP statuses the SSE received from that connector, oldest first (last 20). */
    async received(connectorId: string): Promise<ReceivedStatus[]> {
      return (await call('GET', `/admin/connectors/${connectorId}`)).popStatusHistory;
    },
    fault: (endpoint: string, spec: Record<string, unknown>) =>
      call('PUT', `/admin/faults/${endpoint}`, spec),
    clearFaults: () => call('DELETE', '/admin/faults'),
    async stop() {
      await emu.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestEmulator = Awaited<ReturnType<typeof startTestEmulator>>;
