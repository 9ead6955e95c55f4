import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementClient, type ProxyEvent, type RemoteEvent, type StateEntry } from '../../src';
import { heldClientArgs, startOpenVpn } from './helpers/openvpn';
import { createTestPki, type TestPki } from './helpers/pki';
import { stopAll } from './helpers/processes';
import { freePort, waitFor } from './helpers/waiting';

// Real processes: starting, connecting and restarting take seconds; jest would stop at 5 s.
jest.setTimeout(60_000);

/**
 * --management-query-remote and --management-query-proxy: OpenVPN asks before each connection
 * attempt and waits for the answer. The remotes are closed TCP ports on 127.0.0.1, so every
 * attempt fails fast and OpenVPN holds again.
 */
describe('answering >REMOTE and >PROXY from a real openvpn', () => {
  let dir: string;
  let pki: TestPki;
  const clients: ManagementClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pa-mgmt-query-'));
    pki = await createTestPki(dir);
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(query: string, remotes: string[][]) {
    const socketPath = join(dir, `${query}.sock`);
    const args = heldClientArgs({
      socket: [socketPath, 'unix'],
      ca: pki.ca,
      cert: pki.clientCert,
      key: pki.clientKey,
      remote: remotes[0] ?? [],
    });
    for (const r of remotes.slice(1)) args.push('--remote', ...r);
    const openvpn = await startOpenVpn([...args, query]);
    const client = new ManagementClient({ path: socketPath });
    clients.push(client);
    const states: StateEntry[] = [];
    client.on('state', (s) => states.push(s));
    await client.connect();
    await client.state('on');
    return { openvpn, client, states };
  }

  test('>REMOTE: MOD redirects the attempt to another host and port', async () => {
    const [closedA, closedB] = [await freePort(), await freePort()];
    const { client, states } = await start('--management-query-remote', [
      ['127.0.0.1', String(closedA), 'tcp-client'],
    ]);
    const remotes: RemoteEvent[] = [];
    client.on('remote', (r) => remotes.push(r));
    await client.holdRelease();
    await waitFor('>REMOTE', () => remotes.length === 1);
    expect(remotes[0]).toMatchObject({ host: '127.0.0.1', port: closedA, protocol: 'tcp-client' });

    await client.remote('MOD', '127.0.0.1', closedB);
    await waitFor('the attempt to fail', () => states.some((s) => s.state === 'RECONNECTING'));
    const log = (await client.log('all')).map((l) => l.message).join('\n');
    const mentions = (port: number) => new RegExp(`127\\.0\\.0\\.1:${port}(?!\\d)`).test(log);
    expect(mentions(closedB)).toBe(true);
    expect(mentions(closedA)).toBe(false);
    // Without a pending >REMOTE the command is refused.
    await expect(client.remote('ACCEPT')).rejects.toMatchObject({
      code: 'ERR_MGMT_ERROR',
      managementMessage: 'remote command failed',
    });
  });

  test('>PROXY: answered with NONE, OpenVPN connects directly', async () => {
    const closed = await freePort();
    const { client, states } = await start('--management-query-proxy', [
      ['127.0.0.1', String(closed), 'tcp-client'],
    ]);
    const proxies: ProxyEvent[] = [];
    client.on('proxy', (p) => proxies.push(p));
    await client.holdRelease();
    await waitFor('>PROXY', () => proxies.length === 1);
    expect(proxies[0]).toMatchObject({ index: 1, protocol: 'TCP', host: '127.0.0.1' });
    await client.proxyNone();
    await waitFor('TCP_CONNECT then RECONNECTING', () =>
      states.some((s) => s.state === 'RECONNECTING'),
    );
    expect(states.map((s) => s.state)).toContain('TCP_CONNECT');
  });
});
