import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ByteCountEvent,
  type CloseEvent,
  type HoldEvent,
  ManagementClient,
  type StateEntry,
} from '../../src';
import {
  heldClientArgs,
  startHeldClientOnSocket,
  startOpenVpn,
  unusedUdpPort,
} from './helpers/openvpn';
import { createTestPki, type TestPki } from './helpers/pki';
import { stopAll, type TrackedProcess } from './helpers/processes';
import { waitFor } from './helpers/waiting';

// Real processes: starting, connecting and restarting take seconds; jest would stop at 5 s.
jest.setTimeout(60_000);

/**
 * A real OpenVPN 2.6 TLS client, held by --management-hold on a unix socket and aimed at a UDP
 * port on 127.0.0.1 where nothing answers: it goes through WAIT and restarts, never connects.
 */
describe('against a real openvpn on a unix socket', () => {
  let dir: string;
  let pki: TestPki;
  let socketPath: string;
  let openvpn: TrackedProcess;
  const clients: ManagementClient[] = [];

  const newClient = (options: Partial<{ connectTimeoutMs: number }> = {}) => {
    const client = new ManagementClient({ path: socketPath, commandTimeoutMs: 10_000, ...options });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pa-mgmt-unix-'));
    pki = await createTestPki(dir);
    socketPath = join(dir, 'mgmt.sock');
    const port = await unusedUdpPort();
    openvpn = await startOpenVpn(
      heldClientArgs({
        socket: [socketPath, 'unix'],
        ca: pki.ca,
        cert: pki.clientCert,
        key: pki.clientKey,
        remote: ['127.0.0.1', String(port), 'udp'],
      }),
    );
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('version, pid, hold, state history, events through a restart, and SIGTERM', async () => {
    const client = newClient();
    const states: StateEntry[] = [];
    const holds: HoldEvent[] = [];
    const bytecounts: ByteCountEvent[] = [];
    const closes: CloseEvent[] = [];
    client.on('state', (s) => states.push(s));
    client.on('hold', (h) => holds.push(h));
    client.on('bytecount', (b) => bytecounts.push(b));
    client.on('close', (c) => closes.push(c));

    await client.connect();
    // Listeners attached before connect() see the >HOLD that follows the greeting.
    await waitFor('the initial >HOLD', () => holds.length === 1);
    expect(client.greeting).toMatch(/^OpenVPN Management Interface Version \d+/);

    const version = await client.version();
    expect(version.release).toMatch(/^2\.6\./);
    expect(version.management).toBeGreaterThanOrEqual(5);
    expect(await client.pid()).toBe(openvpn.pid);
    expect(await client.hold()).toBe(true);
    await expect(client.status(3)).rejects.toMatchObject({ code: 'ERR_MGMT_ERROR' });
    expect(await client.state()).toMatchObject({ state: 'CONNECTING' });

    await client.state('on');
    await client.bytecount(1);
    await client.holdRelease();
    await waitFor('>STATE WAIT', () => states.some((s) => s.state === 'WAIT'));
    await waitFor('>BYTECOUNT', () => bytecounts.length > 0, 5_000);
    expect(bytecounts[0]?.bytesIn).toBe(0);

    const history = await client.stateAll();
    expect(history.map((s) => s.state)).toEqual(expect.arrayContaining(['CONNECTING', 'WAIT']));
    const status = await client.status(3);
    expect(status.mode).toBe('client');
    expect(status.statistics).toHaveProperty(['TCP/UDP write bytes']);

    const log = await client.log('all');
    expect(log.some((l) => l.message.includes("MANAGEMENT: CMD 'hold release'"))).toBe(true);

    // A restart holds again, telling how long OpenVPN itself would have waited.
    await client.bytecount(0);
    await client.signal('SIGUSR1');
    await waitFor('RECONNECTING', () => states.some((s) => s.state === 'RECONNECTING'));
    await waitFor('the second >HOLD', () => holds.length === 2);
    expect(holds[1]?.waitSeconds).toBeGreaterThanOrEqual(0);
    expect(states.find((s) => s.state === 'RECONNECTING')?.description).toBe('SIGUSR1');
    await client.holdRelease();

    await client.signal('SIGTERM');
    expect(await client.whenClosed()).toEqual({ reason: 'remote-closed', error: undefined });
    expect(closes).toHaveLength(1);
    expect(states.at(-1)).toMatchObject({ state: 'EXITING', description: 'SIGTERM' });
    expect(await openvpn.exited).toBe(0);
    await expect(client.pid()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});

describe('one management client at a time', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-mgmt-busy-'));
  });
  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a second client gets no greeting while the first is connected; after quit it does', async () => {
    const { openvpn, socketPath } = await startHeldClientOnSocket(dir);
    const first = new ManagementClient({ path: socketPath });
    await first.connect();
    const second = new ManagementClient({ path: socketPath, connectTimeoutMs: 1_500 });
    await expect(second.connect()).rejects.toMatchObject({ code: 'ERR_CONNECT', retryable: true });

    await first.quit();
    expect(await first.whenClosed()).toMatchObject({ reason: 'quit' });
    // OpenVPN keeps running and listens for the next client.
    const third = new ManagementClient({ path: socketPath });
    await third.connect();
    expect(await third.pid()).toBe(openvpn.pid);
    await third.close();
  });

  test('a missing socket is ERR_CONNECT naming the path', async () => {
    const client = new ManagementClient({ path: join(dir, 'nothing-here.sock') });
    await expect(client.connect()).rejects.toMatchObject({
      code: 'ERR_CONNECT',
      message: expect.stringContaining('nothing-here.sock'),
    });
  });
});
