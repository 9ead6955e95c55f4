import { Duplex } from 'node:stream';
import { type Connector, ErrorCode, ManagementClient, ManagementError } from '../../src';
import { payloads, recordEvents, until } from './helpers/record-events';
import {
  byteByByte,
  type Chunker,
  loadTranscript,
  ScriptedOpenVpn,
  type Step,
  splitAt,
  whole,
} from './helpers/scripted-openvpn';

const GREETING = ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info\r\n";
const HELD = `${GREETING}>HOLD:Waiting for hold release:0\r\n`;

function script(...exchanges: [send: string, recv: string][]): Step[] {
  return [{ recv: HELD }, ...exchanges.map(([send, recv]) => ({ send, recv }))];
}

async function connected(steps: Step[], chunker: Chunker = whole, options = {}) {
  const openvpn = new ScriptedOpenVpn(steps, chunker);
  const client = new ManagementClient({
    path: '/unused',
    connector: openvpn.connector,
    ...options,
  });
  const events = recordEvents(client);
  await client.connect();
  return { openvpn, client, events };
}

async function rejection(promise: Promise<unknown>): Promise<ManagementError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ManagementError);
    return error as ManagementError;
  }
  throw new Error('expected a rejection');
}

describe('notifications interleaved with replies', () => {
  // Notification lines inside a multi-line reply, as OpenVPN may send them when an event fires
  // while it prints history (lines as 2.6.14 prints them).
  const reply =
    '1795433069,CONNECTING,,,,,,\r\n>BYTECOUNT:0,14\r\n>STATE:1795433074,WAIT,,,,,,\r\n' +
    '1795433074,WAIT,,,,,,\r\n>LOG:1795433076,N,read UDPv4 [ECONNREFUSED]: Connection refused (fd=5,code=111)\r\nEND\r\n';

  test.each<[string, Chunker]>([
    ['whole', whole],
    ['byte by byte', byteByByte],
    ...Array.from({ length: Buffer.byteLength(reply) - 1 }, (_, i): [string, Chunker] => [
      `cut at ${i + 1}`,
      splitAt(i + 1),
    ]),
  ])('inside a multi-line reply (%s)', async (_name, chunker) => {
    const { client, events } = await connected(script(['state all', reply]), chunker);
    const history = await client.stateAll();
    expect(history.map((s) => s.state)).toEqual(['CONNECTING', 'WAIT']);
    await until(() => payloads(events, 'log').length === 1, 'the >LOG line');
    expect(payloads(events, 'bytecount')).toEqual([{ bytesIn: 0, bytesOut: 14 }]);
    expect(payloads(events, 'state').map((s) => s.state)).toEqual(['WAIT']);
    expect(payloads(events, 'unexpectedLine')).toEqual([]);
    await client.close();
  });

  test('before a one-line reply and between the parts of "state on all"', async () => {
    const { client, events } = await connected(
      script(
        [
          'hold release',
          ">LOG:1795433081,D,MANAGEMENT: CMD 'hold release'\r\nSUCCESS: hold release succeeded\r\n",
        ],
        [
          'state on all',
          'SUCCESS: real-time state notification set to ON\r\n>BYTECOUNT:0,28\r\n1795433069,CONNECTING,,,,,,\r\nEND\r\n',
        ],
      ),
      byteByByte,
    );
    await client.holdRelease();
    expect(await client.stateOnAll()).toEqual([expect.objectContaining({ state: 'CONNECTING' })]);
    expect(payloads(events, 'log')).toHaveLength(1);
    expect(payloads(events, 'bytecount')).toEqual([{ bytesIn: 0, bytesOut: 28 }]);
    await client.close();
  });

  test('a listener that throws does not disturb parsing; its error is rethrown later', async () => {
    const rethrown: (() => void)[] = [];
    const spy = jest.spyOn(globalThis, 'queueMicrotask').mockImplementation((fn) => {
      rethrown.push(fn);
    });
    try {
      const { client, events } = await connected(
        script([
          'hold release',
          'SUCCESS: hold release succeeded\r\n>STATE:1795433074,WAIT,,,,,,\r\n>BYTECOUNT:0,0\r\n',
        ]),
      );
      client.on('state', () => {
        throw new Error('listener bug');
      });
      await client.holdRelease();
      await until(
        () => payloads(events, 'bytecount').length === 1,
        'bytecount after the throwing listener',
      );
      expect(client.connected).toBe(true);
      expect(rethrown).toHaveLength(1);
      expect(() => rethrown[0]?.()).toThrow('listener bug');
      await client.close();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('replies and errors', () => {
  test('ERROR: replies reject with ERR_MGMT_ERROR, one-line and multi-line commands alike', async () => {
    const { client, events } = await connected(
      script(
        [
          'signal SIGUSR1',
          "ERROR: signal 'SIGUSR1' is currently ignored\r\n>HOLD:Waiting for hold release:0\r\n",
        ],
        ['status 3', "ERROR: The 'status' command is not supported by the current daemon mode\r\n"],
        ['pid', 'SUCCESS: pid=4242\r\n'],
      ),
    );
    const signal = await rejection(client.signal('SIGUSR1'));
    expect(signal).toMatchObject({
      code: 'ERR_MGMT_ERROR',
      retryable: false,
      command: 'signal SIGUSR1',
      managementMessage: "signal 'SIGUSR1' is currently ignored",
    });
    expect(await rejection(client.status())).toMatchObject({
      code: 'ERR_MGMT_ERROR',
      managementMessage: "The 'status' command is not supported by the current daemon mode",
    });
    expect(await client.pid()).toBe(4242);
    expect(payloads(events, 'hold')).toHaveLength(2);
    await client.close();
  });

  test('password: quoted and escaped on the wire, never in errors', async () => {
    const secret = 'p"w\\x s3cr3t';
    const { client, openvpn } = await connected(
      script([
        'password "Auth" "p\\"w\\\\x s3cr3t"',
        'ERROR: no password is currently needed at this time\r\n',
      ]),
    );
    const error = await rejection(client.password('Auth', secret));
    expect(openvpn.mismatches).toEqual([]);
    expect(error).toMatchObject({ code: 'ERR_MGMT_ERROR', command: 'password' });
    expect(error.message).not.toContain('s3cr3t');
    expect(JSON.stringify(error)).not.toContain('s3cr3t');
    await client.close();
  });

  test('a reply of the wrong shape is a protocol error and the next command still lines up', async () => {
    const { client } = await connected(
      script(['hold', 'SUCCESS: hold=1\r\n'], ['pid', 'SUCCESS: pid=5\r\n']),
    );
    expect(await rejection(client.command('hold', 'multiline'))).toMatchObject({
      code: 'ERR_PROTOCOL',
    });
    expect(await client.pid()).toBe(5);
    await client.close();
  });

  test('a line no command waits for is reported, not swallowed', async () => {
    const { client, events, openvpn } = await connected(script());
    openvpn.inject('SUCCESS: nobody asked\r\n');
    await until(() => payloads(events, 'unexpectedLine').length === 1, 'unexpected line');
    expect(payloads(events, 'unexpectedLine')).toEqual(['SUCCESS: nobody asked']);
    await client.close();
  });

  test('setClientVersion works whether or not OpenVPN answers "version N"', async () => {
    const silent = await connected(script(['version 3\npid', 'SUCCESS: pid=1\r\n']));
    await expect(silent.client.setClientVersion(3)).resolves.toBeUndefined();
    await silent.client.close();
    const chatty = await connected(
      script([
        'version 4\npid',
        'SUCCESS: Management client version set to 4\r\nSUCCESS: pid=1\r\n',
      ]),
    );
    await expect(chatty.client.setClientVersion(4)).resolves.toBeUndefined();
    await chatty.client.close();
  });
});

describe('timeouts (fake timers)', () => {
  beforeEach(() => {
    // Scripted replies travel by setImmediate, like socket data; only timers are faked.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('a late reply is dropped and reported; the commands behind it get their own replies', async () => {
    const { client, events, openvpn } = await connected(
      script(['hold release', ''], ['pid', 'SUCCESS: pid=77\r\n']),
      whole,
      { commandTimeoutMs: 2_000 },
    );
    const release = client.holdRelease();
    jest.advanceTimersByTime(2_000);
    const pid = client.pid();
    const timedOut = await rejection(release);
    expect(timedOut).toMatchObject({
      code: 'ERR_TIMEOUT',
      sent: true,
      retryable: true,
      command: 'hold release',
    });
    expect(timedOut.message).toBe('hold release: no reply from OpenVPN within 2000 ms');
    expect(openvpn.written).toEqual(['hold release\n']);

    openvpn.inject('SUCCESS: hold release succeeded\r\n');
    expect(await pid).toBe(77);
    expect(payloads(events, 'lateReply')).toEqual([
      { command: 'hold release', lines: ['SUCCESS: hold release succeeded'] },
    ]);
    expect(openvpn.written).toEqual(['hold release\n', 'pid\n']);
    await client.close();
  });

  test('a command still queued when its time runs out is never sent', async () => {
    const { client, openvpn } = await connected(script(['hold release', '']), whole, {
      commandTimeoutMs: 5_000,
    });
    const release = client.holdRelease();
    const term = client.command('signal SIGTERM', 'success', { timeoutMs: 1_000 });
    jest.advanceTimersByTime(1_000);
    expect(await rejection(term)).toMatchObject({ code: 'ERR_TIMEOUT', sent: false });
    openvpn.inject('SUCCESS: hold release succeeded\r\n');
    await release;
    expect(openvpn.written).toEqual(['hold release\n']);
    await client.close();
  });

  test('no greeting (another client holds the interface) fails connect with ERR_CONNECT', async () => {
    const silent: Connector = async () => new Duplex({ read() {}, write: (_c, _e, cb) => cb() });
    const client = new ManagementClient({
      path: '/busy.sock',
      connector: silent,
      connectTimeoutMs: 3_000,
    });
    const connecting = client.connect();
    await new Promise((resolve) => setImmediate(resolve));
    jest.advanceTimersByTime(3_000);
    const error = await rejection(connecting);
    expect(error).toMatchObject({ code: 'ERR_CONNECT', retryable: true });
    expect(error.message).toContain('unix:/busy.sock');
    expect(error.message).toContain('within 3000 ms');
    expect(client.connected).toBe(false);
  });
});

describe('connection lifecycle', () => {
  test('close() rejects pending and queued commands with ERR_CLOSED and emits close once', async () => {
    const { client, events } = await connected(script(['hold release', '']));
    const release = client.holdRelease();
    const pid = client.pid();
    await client.close();
    await client.close();
    expect(await rejection(release)).toMatchObject({ code: 'ERR_CLOSED', retryable: true });
    expect(await rejection(pid)).toMatchObject({ code: 'ERR_CLOSED' });
    expect(await rejection(client.version())).toMatchObject({
      code: 'ERR_CLOSED',
      message: 'version: the connection is closed',
    });
    expect(payloads(events, 'close')).toEqual([{ reason: 'client-closed', error: undefined }]);
    expect(client.connected).toBe(false);
    expect(await client.whenClosed()).toEqual({ reason: 'client-closed', error: undefined });
  });

  test('OpenVPN hanging up rejects the pending command and emits close with the reason', async () => {
    const { client, events, openvpn } = await connected(script(['hold release', '']));
    const release = client.holdRelease();
    openvpn.hangUp();
    expect(await rejection(release)).toMatchObject({
      code: 'ERR_CLOSED',
      message: 'OpenVPN closed the management connection',
    });
    expect(payloads(events, 'close')).toEqual([{ reason: 'remote-closed', error: undefined }]);
  });

  test('a socket error closes with reason "error" and the error as cause', async () => {
    const { client, events, openvpn } = await connected(script(['pid', '']));
    const pid = client.pid();
    openvpn.stream?.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    const error = await rejection(pid);
    expect(error).toMatchObject({ code: 'ERR_CLOSED' });
    expect(error.cause).toMatchObject({ code: 'ECONNRESET' });
    await client.whenClosed();
    expect(payloads(events, 'close')).toEqual([
      { reason: 'error', error: expect.objectContaining({ code: 'ECONNRESET' }) },
    ]);
  });

  test('quit ends the session: OpenVPN hangs up and the close reason is "quit"', async () => {
    const { client, events } = await connected([
      { recv: HELD },
      { send: 'quit', recv: '', eof: true },
    ]);
    await client.quit();
    expect(client.connected).toBe(false);
    expect(payloads(events, 'close')).toEqual([{ reason: 'quit', error: undefined }]);
    await expect(client.quit()).resolves.toBeUndefined();
  });

  test('commands before connect() and a second connect() are refused', async () => {
    const openvpn = new ScriptedOpenVpn(script());
    const client = new ManagementClient({ path: '/unused', connector: openvpn.connector });
    expect(await rejection(client.pid())).toMatchObject({
      code: 'ERR_CLOSED',
      message: 'pid: not connected yet',
    });
    await client.connect();
    expect(client.greeting).toBe(
      "OpenVPN Management Interface Version 5 -- type 'help' for more info",
    );
    expect(await rejection(client.connect())).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await client.close();
  });

  test('a connector failure is ERR_CONNECT with the cause', async () => {
    const refused = Object.assign(new Error('connect ENOENT /nowhere.sock'), { code: 'ENOENT' });
    const client = new ManagementClient({
      path: '/nowhere.sock',
      connector: () => Promise.reject(refused),
    });
    const error = await rejection(client.connect());
    expect(error).toMatchObject({ code: 'ERR_CONNECT', retryable: true, cause: refused });
    expect(error.message).toBe(
      'cannot connect to unix:/nowhere.sock: connect ENOENT /nowhere.sock',
    );
  });
});

describe('TCP management password (recorded prompts)', () => {
  test('answers ENTER PASSWORD: and connects', async () => {
    const openvpn = new ScriptedOpenVpn(loadTranscript('tcp-password-ok').steps, byteByByte);
    const client = new ManagementClient({
      host: '127.0.0.1',
      port: 17506,
      password: { reveal: () => 's3cret' },
      connector: openvpn.connector,
    });
    const events = recordEvents(client);
    await client.connect();
    expect(openvpn.written).toEqual(['s3cret\n']);
    await until(() => payloads(events, 'hold').length === 1, '>HOLD after the greeting');
    expect(await client.pid()).toBe(12511);
    await client.quit();
    expect(openvpn.mismatches).toEqual([]);
    expect(payloads(events, 'close')).toEqual([{ reason: 'quit', error: undefined }]);
  });

  test('a refused password fails with ERR_PASSWORD after one attempt, without revealing it', async () => {
    const openvpn = new ScriptedOpenVpn(loadTranscript('tcp-password-wrong').steps);
    const client = new ManagementClient({
      host: '127.0.0.1',
      port: 17506,
      password: 'not-it',
      connector: openvpn.connector,
    });
    const error = await rejection(client.connect());
    expect(error).toMatchObject({ code: 'ERR_PASSWORD', retryable: false });
    expect(error.message).toBe('OpenVPN at 127.0.0.1:17506 rejected the management password');
    expect(openvpn.written).toEqual(['not-it\n']);
    expect(client.connected).toBe(false);
  });

  test('a prompt with no password configured fails with ERR_PASSWORD', async () => {
    const openvpn = new ScriptedOpenVpn(loadTranscript('tcp-password-ok').steps);
    const client = new ManagementClient({ host: '::1', port: 17506, connector: openvpn.connector });
    const error = await rejection(client.connect());
    expect(error).toMatchObject({ code: 'ERR_PASSWORD' });
    expect(error.message).toBe(
      'OpenVPN at [::1]:17506 asks for a management password and none is configured',
    );
    expect(openvpn.written).toEqual([]);
  });

  test('a password with a line break is refused before connecting', async () => {
    const connector = jest.fn<ReturnType<Connector>, Parameters<Connector>>();
    const client = new ManagementClient({
      host: '127.0.0.1',
      port: 1,
      password: 'a\nb',
      connector,
    });
    expect(await rejection(client.connect())).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(connector).not.toHaveBeenCalled();
  });
});

describe('what each method writes', () => {
  const cases: [string, (c: ManagementClient) => Promise<unknown>, string][] = [
    ['bytecount', (c) => c.bytecount(5), 'bytecount 5'],
    ['bytecount off', (c) => c.bytecount(0), 'bytecount 0'],
    ['hold on', (c) => c.hold('on'), 'hold on'],
    ['hold off', (c) => c.hold('off'), 'hold off'],
    ['hold release', (c) => c.holdRelease(), 'hold release'],
    ['signal', (c) => c.signal('SIGHUP'), 'signal SIGHUP'],
    ['state on', (c) => c.state('on'), 'state on'],
    ['state off', (c) => c.state('off'), 'state off'],
    ['log on', (c) => c.log('on'), 'log on'],
    ['echo off', (c) => c.echo('off'), 'echo off'],
    ['username', (c) => c.username('Auth', 'al ice'), 'username "Auth" "al ice"'],
    ['password', (c) => c.password('Private Key', 'a"b\\c'), 'password "Private Key" "a\\"b\\\\c"'],
    [
      'needok',
      (c) => c.needOk('token-insertion-request', 'ok'),
      'needok "token-insertion-request" ok',
    ],
    ['needstr', (c) => c.needStr('name', 'John "J" Doe'), 'needstr "name" "John \\"J\\" Doe"'],
    [
      'proxy',
      (c) => c.proxy('HTTP', 'proxy.intranet', 8080, true),
      'proxy HTTP "proxy.intranet" 8080 nct',
    ],
    ['proxy socks', (c) => c.proxy('SOCKS', 'fe00::1', 1080), 'proxy SOCKS "fe00::1" 1080'],
    ['proxy none', (c) => c.proxyNone(), 'proxy NONE'],
    ['remote accept', (c) => c.remote('ACCEPT'), 'remote ACCEPT'],
    ['remote skip', (c) => c.remote('SKIP'), 'remote SKIP'],
    [
      'remote mod',
      (c) => c.remote('MOD', 'vpn.otherexample.com', 1234),
      'remote MOD "vpn.otherexample.com" 1234',
    ],
    ['forget-passwords', (c) => c.forgetPasswords(), 'forget-passwords'],
    ['auth-retry', (c) => c.authRetry('interact'), 'auth-retry interact'],
    ['verb set', (c) => c.setVerb(4), 'verb 4'],
    ['client-auth-nt', (c) => c.clientAuthNt(3, 0), 'client-auth-nt 3 0'],
    [
      'client-auth',
      (c) =>
        c.clientAuth(3, 1, [
          'push "route 10.0.0.0 255.0.0.0"',
          'ifconfig-push 10.8.0.9 255.255.255.0',
        ]),
      'client-auth 3 1\npush "route 10.0.0.0 255.0.0.0"\nifconfig-push 10.8.0.9 255.255.255.0\nEND',
    ],
    ['client-auth empty', (c) => c.clientAuth(3, 1), 'client-auth 3 1\nEND'],
    ['client-deny', (c) => c.clientDeny(3, 1, 'bad user'), 'client-deny 3 1 "bad user"'],
    ['client-kill', (c) => c.clientKill(3, 'HALT'), 'client-kill 3 "HALT"'],
    ['kill', (c) => c.kill('127.0.0.1:35522'), 'kill "127.0.0.1:35522"'],
    ['raw', (c) => c.command('load-stats', 'success'), 'load-stats'],
  ];

  test.each(cases)('%s', async (_name, call, line) => {
    const { client, openvpn } = await connected(script([line, 'SUCCESS: ok\r\n']));
    await call(client);
    expect(openvpn.mismatches).toEqual([]);
    expect(openvpn.written.join('')).toBe(`${line}\n`);
    await client.close();
  });

  test('parsed one-line answers: hold, verb, load-stats, pid', async () => {
    const { client } = await connected(
      script(
        ['hold', 'SUCCESS: hold=0\r\n'],
        ['verb', 'SUCCESS: verb=3\r\n'],
        ['load-stats', 'SUCCESS: nclients=0,bytesin=0,bytesout=0\r\n'],
        ['pid', 'SUCCESS: pid=x\r\n'],
      ),
    );
    expect(await client.hold()).toBe(false);
    expect(await client.verb()).toBe(3);
    expect(await client.loadStats()).toEqual({ clients: 0, bytesIn: 0, bytesOut: 0 });
    expect(await rejection(client.pid())).toMatchObject({ code: 'ERR_PROTOCOL' });
    await client.close();
  });

  test.each<[string, (c: ManagementClient) => Promise<unknown>]>([
    ['negative bytecount', (c) => c.bytecount(-1)],
    ['fractional bytecount', (c) => c.bytecount(1.5)],
    ['unknown signal', (c) => c.signal('SIGKILL' as never)],
    ['state 0', (c) => c.state(0)],
    ['port 0', (c) => c.proxy('HTTP', 'proxy', 0)],
    ['host with space', (c) => c.remote('MOD', 'a b', 1)],
    ['MOD without host', (c) => (c.remote as (a: string) => Promise<void>)('MOD')],
    ['END inside client-auth', (c) => c.clientAuth(1, 1, ['END'])],
    ['line break in a command', (c) => c.command('pid\nsignal SIGTERM', 'success')],
    ['empty command', (c) => c.command('  ', 'success')],
    ['line break in a username', (c) => c.username('Auth', 'a\r\nb')],
    ['status format 4', (c) => c.status(4 as never)],
  ])('refuses %s with ERR_INVALID_ARGUMENT and writes nothing', async (_name, call) => {
    const { client, openvpn } = await connected(script());
    expect(await rejection(call(client))).toMatchObject({
      code: ErrorCode.InvalidArgument,
      retryable: false,
    });
    expect(openvpn.written).toEqual([]);
    await client.close();
  });
});
