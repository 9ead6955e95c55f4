import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@pa-connector/test-support';
import { startEmulatorHarnessWith } from '@pa-connector/test-support/emulator';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src';
import { adminClient } from './admin-client';
import { newIdentity, type TestIdentity } from './identity';
import { capturedLogger } from './log-capture';
import { type SseCall, type SseResponse, sseRequest } from './sse-client';

export interface TestEmulator {
  emu: RunningEmulator;
  clock: FakeClock;
  dataDir: string;
  admin: ReturnType<typeof adminClient>;
  sse: (call: SseCall) => Promise<SseResponse>;
  logs: () => string;
  /** Stops the emulator (the data dir stays until cleanup()). */
  stop: () => Promise<void>;
  cleanup: () => Promise<void>;
}

/** The emulator in-process on loopback, random ports, a temp data dir and a fake clock. */
export async function startTestEmulator(
  o: Partial<Omit<EmulatorOptions, 'clock'>> & { dataDir?: string; clock?: FakeClock } = {},
): Promise<TestEmulator> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'pa-emulator-')));
  const clock = o.clock ?? new FakeClock(Date.now());
  const captured = capturedLogger();
  // The data dir is given, so the harness leaves it for cleanup().
  const harness = await startEmulatorHarnessWith(startEmulator, {
    logger: captured.logger,
    ...o,
    dataDir,
    clock: clock.dateClock,
  });
  const emu = harness.emu;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await harness.stop();
  };
  return {
    emu,
    clock,
    dataDir,
    admin: adminClient(emu.adminUrl, o.adminToken),
    sse: (call) => sseRequest(emu.sseUrl, emu.caCertPem, call),
    logs: captured.text,
    stop,
    cleanup: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Enrolled {
  identity: TestIdentity;
  connectorId: string;
  groupId: string;
  /** For the `cert` option of sse(). */
  tls: { certPem: string; keyPem: string };
  caChain: string[];
  token: string;
}

/** Registers a new connector with a fresh 1-use key and gets it a token. */
export async function enroll(t: TestEmulator, identity = newIdentity()): Promise<Enrolled> {
  const { key } = await t.admin.groupWithKey();
  const reg = await t.sse({
    path: '/v1/connectors/register',
    body: { provisioningKey: key, csr: identity.csr, hostname: 'host-1' },
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
  const body = reg.json();
  const tls = { certPem: body.certificate as string, keyPem: identity.privateKeyPem };
  const tok = await t.sse({ method: 'POST', path: '/v1/auth/token', cert: tls });
  if (tok.status !== 200) throw new Error(`token: ${tok.status} ${tok.text}`);
  return {
    identity,
    connectorId: body.connectorId,
    groupId: body.groupId,
    tls,
    caChain: body.caChain,
    token: tok.json().accessToken,
  };
}
