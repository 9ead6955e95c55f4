import { type ClientEvent, ManagementClient, type StateEntry } from '../../src';
import { payloads, type Recorded, recordEvents, until } from './helpers/record-events';
import {
  byteByByte,
  type Chunker,
  loadTranscript,
  ScriptedOpenVpn,
  splitAt,
  type Transcript,
  whole,
} from './helpers/scripted-openvpn';

type Script = (client: ManagementClient, events: Recorded[]) => Promise<Record<string, unknown>>;

interface Run {
  results: Record<string, unknown>;
  events: Recorded[];
  openvpn: ScriptedOpenVpn;
}

/** Errors compared by what callers rely on: code and message. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    return { error: (value as { code?: string }).code, message: value.message };
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

async function replay(transcript: Transcript, script: Script, chunker: Chunker): Promise<Run> {
  const openvpn = new ScriptedOpenVpn(transcript.steps, chunker);
  // Short timeouts: a parsing bug then fails in seconds instead of stalling every replay.
  const client = new ManagementClient({
    path: '/unused',
    connector: openvpn.connector,
    commandTimeoutMs: 2_000,
  });
  const events = recordEvents(client);
  await client.connect();
  const results = await script(client, events);
  await client.close();
  expect(openvpn.mismatches).toEqual([]);
  expect(openvpn.finished).toBe(true);
  return {
    results: plain(results) as Record<string, unknown>,
    events: plain(events) as Recorded[],
    openvpn,
  };
}

/** Runs the script with whole replies, then byte by byte and cut at every position. */
async function replayEveryWay(
  transcript: Transcript,
  script: Script,
  positions: Iterable<number>,
): Promise<Run> {
  const reference = await replay(transcript, script, whole);
  const bytewise = await replay(transcript, script, byteByByte);
  expect(bytewise.results).toEqual(reference.results);
  expect(bytewise.events).toEqual(reference.events);
  for (const position of positions) {
    const cut = await replay(transcript, script, splitAt(position));
    // A failing position is named in the assertion so it can be reproduced.
    expect({ position, results: cut.results }).toEqual({ position, results: reference.results });
    expect({ position, events: cut.events }).toEqual({ position, events: reference.events });
  }
  return reference;
}

function longestReply(transcript: Transcript): number {
  return Math.max(...transcript.steps.map((s) => Buffer.byteLength(s.recv)));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
}

// Every transcript is replayed several hundred times (each cut position); that takes seconds.
jest.setTimeout(60_000);

describe('replaying recorded OpenVPN 2.6 transcripts', () => {
  test('held client on a unix socket: history, hold release, restart, interleaved >LOG, SIGTERM', async () => {
    const transcript = loadTranscript('client-hold');
    const script: Script = async (c) => ({
      version: await c.version(),
      pid: await c.pid(),
      hold: await c.hold(),
      current: await c.state(),
      statusWhileHeld: await errorOf(c.status(3)),
      stateOn: await c.state('on'),
      bytecount: await c.bytecount(1),
      release: await c.holdRelease(),
      history: await c.stateAll(),
      log: await c.log(3),
      echo: await c.echo('all'),
      status: await c.status(3),
      unknown: await errorOf(c.command('foo', 'success')),
      onAll: await c.stateOnAll(),
      usr1: await c.signal('SIGUSR1'),
      bytecountOff: await c.bytecount(0),
      logOn: await c.log('on'),
      release2: await c.holdRelease(),
      logOff: await c.log('off'),
      term: await c.signal('SIGTERM'),
      closed: await c.whenClosed(),
    });
    const { results: r, events } = await replayEveryWay(
      transcript,
      script,
      range(1, longestReply(transcript)),
    );

    expect(r.version).toMatchObject({ release: '2.6.14', management: 5 });
    expect(r.pid).toBe(12114);
    expect(r.hold).toBe(true);
    expect(r.current).toMatchObject({ state: 'CONNECTING', timestamp: 1795433069 });
    expect(r.statusWhileHeld).toEqual({
      error: 'ERR_MGMT_ERROR',
      message:
        "status 3: OpenVPN replied ERROR: The 'status' command is not supported by the current daemon mode",
    });
    expect((r.history as StateEntry[]).map((s) => s.state)).toEqual(['CONNECTING', 'WAIT']);
    expect(r.log).toEqual([
      expect.objectContaining({
        flags: 'N',
        message: 'read UDPv4 [ECONNREFUSED]: Connection refused (fd=5,code=111)',
      }),
      expect.objectContaining({ flags: 'D', message: "MANAGEMENT: CMD 'state all'" }),
      expect.objectContaining({ flags: 'D', message: "MANAGEMENT: CMD 'log 3'" }),
    ]);
    expect(r.echo).toEqual([]);
    expect(r.status).toMatchObject({
      mode: 'client',
      statistics: { 'TCP/UDP write bytes': 28, 'TUN/TAP read bytes': 0 },
      clients: [],
    });
    expect(r.unknown).toMatchObject({ error: 'ERR_MGMT_ERROR' });
    expect((r.onAll as StateEntry[]).map((s) => s.state)).toEqual(['CONNECTING', 'WAIT']);
    expect(r.closed).toEqual({ reason: 'remote-closed', error: undefined });

    expect(payloads(events, 'hold')).toEqual([
      { message: 'Waiting for hold release', waitSeconds: 0 },
      { message: 'Waiting for hold release', waitSeconds: 1 },
    ]);
    expect(payloads(events, 'state').map((s) => [s.state, s.description])).toEqual([
      ['WAIT', ''],
      ['RECONNECTING', 'SIGUSR1'],
      ['WAIT', ''],
      ['EXITING', 'SIGTERM'],
    ]);
    expect(payloads(events, 'bytecount')).toEqual([
      { bytesIn: 0, bytesOut: 0 },
      { bytesIn: 0, bytesOut: 14 },
      { bytesIn: 0, bytesOut: 14 },
      { bytesIn: 0, bytesOut: 28 },
      { bytesIn: 0, bytesOut: 28 },
    ]);
    // The >LOG lines around "SUCCESS: hold release succeeded" are events, not part of a reply.
    const logs = payloads(events, 'log');
    expect(logs[0]).toMatchObject({ flags: 'D', message: "MANAGEMENT: CMD 'hold release'" });
    expect(logs.map((l) => l.flags)).toEqual(['D', 'W', 'I', '', 'I', 'I', '', 'N', 'D']);
    expect(payloads(events, 'info')).toEqual([
      { message: "OpenVPN Management Interface Version 5 -- type 'help' for more info" },
    ]);
    expect(payloads(events, 'unexpectedLine')).toEqual([]);
    expect(payloads(events, 'close')).toEqual([{ reason: 'remote-closed', error: undefined }]);
  });

  test('tunnel client: credentials on request (escaped), denied, CONNECTED with IPv4 and IPv6', async () => {
    const transcript = loadTranscript('tunnel-client');
    const script: Script = async (c, events) => {
      const passwords = () => payloads(events, 'password').length;
      await c.state('on');
      await c.echo('on');
      await c.bytecount(2);
      await c.holdRelease();
      await until(() => passwords() === 1, '>PASSWORD need');
      await c.username('Auth', 'alice');
      await c.password('Auth', 'p"w\\x');
      await until(() => payloads(events, 'hold').length === 2, 'second >HOLD');
      await c.holdRelease();
      await until(() => passwords() === 3, 'second >PASSWORD need');
      await c.username('Auth', 'alice');
      await c.password('Auth', 'good');
      return {
        history: await c.stateAll(),
        current: await c.state(),
        echo: await c.echo('all'),
        status: await c.status(3),
        term: await c.signal('SIGTERM'),
        closed: await c.whenClosed(),
      };
    };
    const {
      results: r,
      events,
      openvpn,
    } = await replayEveryWay(transcript, script, range(1, longestReply(transcript)));

    // What OpenVPN accepted and the server read back as p"w\x.
    expect(openvpn.written).toContain('password "Auth" "p\\"w\\\\x"\n');
    expect(payloads(events, 'password')).toEqual([
      {
        kind: 'need',
        type: 'Auth',
        needs: 'username/password',
        staticChallenge: undefined,
        raw: "Need 'Auth' username/password",
      },
      {
        kind: 'verification-failed',
        type: 'Auth',
        reason: 'go away',
        dynamicChallenge: undefined,
        raw: "Verification Failed: 'Auth' ['go away']",
      },
      {
        kind: 'need',
        type: 'Auth',
        needs: 'username/password',
        staticChallenge: undefined,
        raw: "Need 'Auth' username/password",
      },
    ]);
    const connected = payloads(events, 'state').find((s) => s.state === 'CONNECTED');
    expect(connected).toEqual({
      time: new Date(1795433296 * 1000),
      timestamp: 1795433296,
      state: 'CONNECTED',
      description: 'SUCCESS',
      localIp: '10.99.0.2',
      remoteIp: '127.0.0.1',
      remotePort: 1194,
      localAddr: undefined,
      localPort: undefined,
      localIpv6: 'fd99::1000',
    });
    expect(payloads(events, 'state').map((s) => s.state)).toEqual([
      'WAIT',
      'AUTH',
      'GET_CONFIG',
      'RECONNECTING',
      'WAIT',
      'AUTH',
      'GET_CONFIG',
      'ASSIGN_IP',
      'CONNECTED',
      'RECONNECTING',
      'EXITING',
    ]);
    expect(payloads(events, 'echo').map((e) => e.message)).toEqual(['hello-from-server', 'second']);
    expect(payloads(events, 'notification').map((n) => n.source)).toContain('NOTIFY');
    expect((r.history as StateEntry[]).at(-1)).toMatchObject({
      state: 'CONNECTED',
      localIpv6: 'fd99::1000',
    });
    expect(r.current).toMatchObject({ state: 'CONNECTED', localIp: '10.99.0.2' });
    expect(r.echo).toEqual([
      expect.objectContaining({ message: 'hello-from-server' }),
      expect.objectContaining({ message: 'second' }),
    ]);
    expect(r.status).toMatchObject({ mode: 'client', statistics: { 'TUN/TAP read bytes': 48 } });
    expect(r.closed).toEqual({ reason: 'remote-closed', error: undefined });
  });

  test('tunnel server: >CLIENT blocks, client-deny, multi-line client-auth, status 3 with a client', async () => {
    const transcript = loadTranscript('tunnel-server');
    const script: Script = async (c, events) => {
      const clients = () => payloads(events, 'client');
      await c.bytecount(2);
      const empty = await c.status(3);
      await until(() => clients().length === 1, 'first CONNECT');
      await c.clientDeny(0, 1, 'bad user', 'go away');
      await until(() => clients().length === 2, 'second CONNECT');
      await c.clientAuth(1, 1, ['push "echo second"']);
      const full = await c.status(3);
      const state = await c.state();
      await c.clientKill(1);
      await c.signal('SIGTERM');
      return { empty, full, state, closed: await c.whenClosed() };
    };
    // Replies here run to 2.5 kB, and replaying every cut position of all of them takes ~20 s.
    // Cuts in the first 160 bytes (each >CLIENT header and its first ENV lines) and
    // around every line break of a whole block cover the splits; byte-by-byte covers the rest.
    const block = transcript.steps.find((s) => s.recv.startsWith('>CLIENT:CONNECT'))?.recv ?? '';
    const breaks = [...block.matchAll(/\r\n/g)].flatMap((m) => [m.index, m.index + 1, m.index + 2]);
    expect(breaks.length).toBeGreaterThan(100);
    const { results: r, events } = await replayEveryWay(
      transcript,
      script,
      new Set([...range(1, 160), ...breaks]),
    );

    const clients = payloads(events, 'client') as ClientEvent[];
    expect(clients.map((e) => [e.kind, e.clientId, e.keyId, e.complete])).toEqual([
      ['CONNECT', 0, 1, true],
      ['CONNECT', 1, 1, true],
      ['DISCONNECT', 0, undefined, true],
      ['ADDRESS', 1, undefined, true],
      ['ADDRESS', 1, undefined, true],
      ['ESTABLISHED', 1, undefined, true],
      ['DISCONNECT', 1, undefined, true],
    ]);
    expect(clients[0]?.env).toMatchObject({
      common_name: 'client',
      username: 'alice',
      password: 'p"w\\x',
      untrusted_ip: '127.0.0.1',
      IV_VER: '2.6.14',
    });
    expect(clients[2]?.env).toEqual({});
    expect(clients.slice(3, 5).map((e) => [e.address, e.primary])).toEqual([
      ['10.99.0.2', true],
      ['fd99::1000', true],
    ]);
    expect(clients[6]?.env).toMatchObject({ bytes_sent: '2228', bytes_received: '2146' });
    expect(payloads(events, 'bytecountClient')).toEqual([
      { clientId: 1, bytesIn: 1968, bytesOut: 2092 },
      { clientId: 1, bytesIn: 2146, bytesOut: 2092 },
      { clientId: 1, bytesIn: 2146, bytesOut: 2228 },
    ]);
    expect(r.empty).toMatchObject({ mode: 'server', clients: [], routes: [] });
    expect(r.full).toMatchObject({
      mode: 'server',
      title: expect.stringMatching(/^OpenVPN 2\.6\.14 /),
      time: new Date(1795433300 * 1000),
      clients: [
        {
          commonName: 'client',
          realAddress: '127.0.0.1:35522',
          bytesReceived: 2074,
          bytesSent: 2092,
          connectedSince: new Date(1795433294 * 1000),
          virtualAddress: '10.99.0.2',
          virtualIpv6Address: 'fd99::1000',
          username: 'alice',
          clientId: 1,
          peerId: 1,
          dataChannelCipher: 'AES-256-GCM',
        },
      ],
      routes: [
        { virtualAddress: 'fd99::1000', commonName: 'client' },
        { virtualAddress: '10.99.0.2', commonName: 'client' },
      ],
      globalStats: { 'Max bcast/mcast queue length': '2', dco_enabled: '0' },
    });
    expect(r.state).toMatchObject({
      state: 'CONNECTED',
      localIp: '10.99.0.1',
      remoteIp: undefined,
      localAddr: '127.0.0.1',
      localPort: 1194,
      localIpv6: 'fd99::1',
    });
  });

  test('--management-query-remote: >REMOTE answered with ACCEPT and MOD; ERROR when none pending', async () => {
    const transcript = loadTranscript('client-query-remote');
    const script: Script = async (c, events) => {
      const remotes = () => payloads(events, 'remote').length;
      await c.state('on');
      await c.holdRelease();
      await until(() => remotes() === 1, 'first >REMOTE');
      await c.remote('ACCEPT');
      const proxyWithoutQuery = await c.proxyNone();
      await c.holdRelease();
      await until(() => remotes() === 2, 'second >REMOTE');
      await c.remote('MOD', '127.0.0.1', 11);
      const proxyRefused = await errorOf(c.proxy('HTTP', '127.0.0.1', 3, true));
      await c.holdRelease();
      const skipRefused = await errorOf(c.remote('SKIP'));
      const acceptRefused = await errorOf(c.remote('ACCEPT'));
      await c.signal('SIGTERM');
      return {
        proxyWithoutQuery,
        proxyRefused,
        skipRefused,
        acceptRefused,
        closed: await c.whenClosed(),
      };
    };
    const { results: r, events } = await replayEveryWay(
      transcript,
      script,
      range(1, longestReply(transcript)),
    );
    expect(payloads(events, 'remote')).toEqual([
      { host: '127.0.0.1', port: 9, protocol: 'tcp-client', raw: '127.0.0.1,9,tcp-client' },
      { host: 'localhost', port: 10, protocol: 'udp', raw: 'localhost,10,udp' },
    ]);
    expect(payloads(events, 'state').map((s) => [s.state, s.description])).toEqual([
      ['TCP_CONNECT', ''],
      ['RECONNECTING', 'connection-failed'],
      ['WAIT', ''],
      ['EXITING', 'SIGTERM'],
    ]);
    expect(r.proxyRefused).toEqual({
      error: 'ERR_MGMT_ERROR',
      message: 'proxy HTTP: OpenVPN replied ERROR: proxy command failed',
    });
    expect(r.skipRefused).toEqual({
      error: 'ERR_MGMT_ERROR',
      message: 'remote SKIP: OpenVPN replied ERROR: remote command failed',
    });
    expect(r.acceptRefused).toMatchObject({ error: 'ERR_MGMT_ERROR' });
  });

  test('--management-query-proxy: >PROXY answered with HTTP ... nct, then NONE', async () => {
    const transcript = loadTranscript('client-query-proxy');
    const script: Script = async (c, events) => {
      const proxies = () => payloads(events, 'proxy').length;
      await c.state('on');
      await c.holdRelease();
      await until(() => proxies() === 1, 'first >PROXY');
      await c.proxy('HTTP', '127.0.0.1', 3, true);
      await until(() => payloads(events, 'hold').length === 2, 'second >HOLD');
      await c.holdRelease();
      await until(() => proxies() === 2, 'second >PROXY');
      await c.proxyNone();
      await c.signal('SIGTERM');
      return { closed: await c.whenClosed() };
    };
    const { events } = await replayEveryWay(transcript, script, range(1, longestReply(transcript)));
    expect(payloads(events, 'proxy')).toEqual([
      { index: 1, protocol: 'TCP', host: '127.0.0.1', raw: '1,TCP,127.0.0.1' },
      { index: 1, protocol: 'TCP', host: '127.0.0.1', raw: '1,TCP,127.0.0.1' },
    ]);
    expect(payloads(events, 'hold').map((h) => h.waitSeconds)).toEqual([0, 1, 1]);
  });

  test('>FATAL right after a SUCCESS, then OpenVPN hangs up', async () => {
    const transcript = loadTranscript('fatal');
    const script: Script = async (c) => {
      await c.state('on');
      await c.holdRelease();
      return { closed: await c.whenClosed(), after: await errorOf(c.pid()) };
    };
    const { results: r, events } = await replayEveryWay(
      transcript,
      script,
      range(1, longestReply(transcript)),
    );
    expect(payloads(events, 'fatal')).toEqual([
      {
        message:
          'ERROR: Cannot open TUN/TAP dev /nonexistent/tun: No such file or directory (errno=2)',
      },
    ]);
    expect(r.closed).toEqual({ reason: 'remote-closed', error: undefined });
    expect(r.after).toEqual({ error: 'ERR_CLOSED', message: 'pid: the connection is closed' });
  });
});
