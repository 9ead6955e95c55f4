import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ByteCountEvent,
  type ClientByteCountEvent,
  type ClientEvent,
  type EchoEntry,
  type HoldEvent,
  ManagementClient,
  type PasswordEvent,
  type StateEntry,
} from '../../src';
import { requireBinary, requireRoot, run } from './helpers/environment';
import { requireTun, startOpenVpn } from './helpers/openvpn';
import { createTestPki } from './helpers/pki';
import { stopAll, type TrackedProcess } from './helpers/processes';
import { waitFor } from './helpers/waiting';

// Real processes: starting, connecting and restarting take seconds; jest would stop at 5 s.
jest.setTimeout(60_000);

/**
 * A real server and client with tun devices, both inside a network namespace created for this
 * test (they talk over its loopback), each driven through its management socket: the client
 * supplies credentials on request, the server authorises it with --management-client-auth.
 */
describe('a real OpenVPN client/server pair in a network namespace', () => {
  const netns = `pa-mgmt-${randomBytes(4).toString('hex')}`;
  // Quote, backslash, space and single quote: escaped by password() and read back by the server.
  const password = `p"w\\x y'z`;
  let dir: string;
  let nsCreated = false;
  let server: TrackedProcess;
  let client: TrackedProcess;
  const mgmt: ManagementClient[] = [];

  beforeAll(async () => {
    requireRoot('the pair needs tun devices and a network namespace');
    requireBinary('ip', 'iproute2');
    requireTun();
    dir = mkdtempSync(join(tmpdir(), 'pa-mgmt-pair-'));
    const pki = await createTestPki(dir);
    await run('ip', ['netns', 'add', netns]);
    nsCreated = true;
    await run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    server = await startOpenVpn(
      [
        '--server',
        '10.213.0.0',
        '255.255.255.0',
        '--server-ipv6',
        'fd21:3::/64',
        '--topology',
        'subnet',
        '--dev',
        'tun',
        '--proto',
        'udp',
        '--local',
        '127.0.0.1',
        '--port',
        '1194',
        '--ca',
        pki.ca,
        '--cert',
        pki.serverCert,
        '--key',
        pki.serverKey,
        '--dh',
        'none',
        '--keepalive',
        '10',
        '60',
        '--management',
        join(dir, 'server.sock'),
        'unix',
        '--management-client-auth',
        '--verb',
        '3',
      ],
      { netns },
    );
    client = await startOpenVpn(
      [
        '--client',
        '--dev',
        'tun',
        '--proto',
        'udp',
        '--remote',
        '127.0.0.1',
        '1194',
        '--nobind',
        '--ca',
        pki.ca,
        '--cert',
        pki.clientCert,
        '--key',
        pki.clientKey,
        '--auth-user-pass',
        '--auth-retry',
        'interact',
        '--management',
        join(dir, 'client.sock'),
        'unix',
        '--management-hold',
        '--management-query-passwords',
        '--verb',
        '3',
      ],
      { netns },
    );
  });

  afterAll(async () => {
    for (const c of mgmt) await c.close();
    await stopAll();
    if (nsCreated) {
      // Anything still inside (it should be nothing) is killed by PID before the namespace goes.
      const pids = (await run('ip', ['netns', 'pids', netns]).catch(() => ''))
        .split('\n')
        .filter((p) => /^\d+$/.test(p));
      for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
      await run('ip', ['netns', 'delete', netns]);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('credentials on request, client-auth, CONNECTED with addresses, status, kill, SIGTERM', async () => {
    const srv = new ManagementClient({ path: join(dir, 'server.sock') });
    const cli = new ManagementClient({ path: join(dir, 'client.sock') });
    mgmt.push(srv, cli);
    const serverEvents: ClientEvent[] = [];
    const perClient: ClientByteCountEvent[] = [];
    const states: StateEntry[] = [];
    const passwords: PasswordEvent[] = [];
    const holds: HoldEvent[] = [];
    const echoes: EchoEntry[] = [];
    const bytecounts: ByteCountEvent[] = [];
    srv.on('client', (e) => serverEvents.push(e));
    srv.on('bytecountClient', (b) => perClient.push(b));
    cli.on('state', (s) => states.push(s));
    cli.on('password', (p) => passwords.push(p));
    cli.on('hold', (h) => holds.push(h));
    cli.on('echo', (e) => echoes.push(e));
    cli.on('bytecount', (b) => bytecounts.push(b));

    await srv.connect();
    await cli.connect();
    expect(await srv.pid()).toBe(server.pid);
    expect(await cli.pid()).toBe(client.pid);
    await srv.bytecount(1);
    await cli.state('on');
    await cli.echo('on');
    await cli.bytecount(1);
    await cli.holdRelease();

    await waitFor('>PASSWORD need', () => passwords.length === 1);
    expect(passwords[0]).toMatchObject({ kind: 'need', type: 'Auth', needs: 'username/password' });
    await cli.username('Auth', 'alice');
    await cli.password('Auth', password);

    await waitFor('>CLIENT:CONNECT', () => serverEvents.find((e) => e.kind === 'CONNECT'), 15_000);
    const connect = serverEvents.find((e) => e.kind === 'CONNECT') as ClientEvent;
    expect(connect.complete).toBe(true);
    expect(connect.env).toMatchObject({ username: 'alice', common_name: 'client', password });
    await srv.clientAuth(connect.clientId, connect.keyId ?? 0, ['push "echo from-the-test"']);

    await waitFor('CONNECTED', () => states.find((s) => s.state === 'CONNECTED'), 15_000);
    const connected = states.find((s) => s.state === 'CONNECTED') as StateEntry;
    expect(connected).toMatchObject({
      description: 'SUCCESS',
      remoteIp: '127.0.0.1',
      remotePort: 1194,
      localIp: expect.stringMatching(/^10\.213\.0\.\d+$/),
      localIpv6: expect.stringMatching(/^fd21:3::/),
    });
    expect(states.map((s) => s.state)).toEqual(
      expect.arrayContaining(['WAIT', 'AUTH', 'GET_CONFIG', 'ASSIGN_IP', 'CONNECTED']),
    );
    expect(echoes.map((e) => e.message)).toContain('from-the-test');
    // The address is on the namespace's tun device, not anywhere on the host.
    const addrs = await run('ip', ['-n', netns, '-o', 'addr', 'show']);
    expect(addrs).toContain(`${connected.localIp}/24`);

    await waitFor('ADDRESS and ESTABLISHED', () =>
      serverEvents.some((e) => e.kind === 'ESTABLISHED'),
    );
    expect(serverEvents.filter((e) => e.kind === 'ADDRESS').map((e) => e.address)).toEqual(
      expect.arrayContaining([connected.localIp, connected.localIpv6]),
    );
    const status = await srv.status(3);
    expect(status.mode).toBe('server');
    expect(status.clients).toEqual([
      expect.objectContaining({
        commonName: 'client',
        username: 'alice',
        virtualAddress: connected.localIp,
        virtualIpv6Address: connected.localIpv6,
        clientId: connect.clientId,
      }),
    ]);
    expect(status.routes.map((r) => r.virtualAddress)).toEqual(
      expect.arrayContaining([connected.localIp, connected.localIpv6]),
    );
    await waitFor('per-client byte counts', () => perClient.some((b) => b.bytesIn > 0), 5_000);
    await waitFor('client byte counts', () => bytecounts.some((b) => b.bytesIn > 0), 5_000);
    const clientStatus = await cli.status(3);
    expect(clientStatus.statistics['TCP/UDP read bytes']).toBeGreaterThan(0);
    expect(await cli.state()).toMatchObject({ state: 'CONNECTED', localIp: connected.localIp });

    // Killed by the server, the client restarts and (held) waits for us.
    await srv.clientKill(connect.clientId);
    await waitFor('client DISCONNECT', () => serverEvents.some((e) => e.kind === 'DISCONNECT'));
    await waitFor('RECONNECTING', () =>
      states.some((s, i) => i > states.indexOf(connected) && s.state === 'RECONNECTING'),
    );
    await waitFor('>HOLD after the restart', () => holds.length >= 2);

    await cli.signal('SIGTERM');
    expect(await cli.whenClosed()).toMatchObject({ reason: 'remote-closed' });
    await srv.signal('SIGTERM');
    expect(await srv.whenClosed()).toMatchObject({ reason: 'remote-closed' });
    expect(await client.exited).toBe(0);
    expect(await server.exited).toBe(0);
  });
});
