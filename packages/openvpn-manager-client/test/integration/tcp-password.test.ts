import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementClient, type ManagementError } from '../../src';
import { heldClientArgs, startOpenVpn, unusedUdpPort } from './helpers/openvpn';
import { createTestPki } from './helpers/pki';
import { stopAll, type TrackedProcess } from './helpers/processes';
import { freePort } from './helpers/waiting';

// Real processes: starting, connecting and restarting take seconds; jest would stop at 5 s.
jest.setTimeout(60_000);

/** `--management 127.0.0.1 <port> <pwfile>`: OpenVPN prompts `ENTER PASSWORD:` on connect. */
describe('TCP management with a password file', () => {
  const password = 'Tr0ub4dor "&" \\3';
  let dir: string;
  let port: number;
  let openvpn: TrackedProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pa-mgmt-tcp-'));
    const pki = await createTestPki(dir);
    const pwfile = join(dir, 'mgmt.pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    port = await freePort();
    openvpn = await startOpenVpn(
      heldClientArgs({
        socket: ['127.0.0.1', String(port), pwfile],
        ca: pki.ca,
        cert: pki.clientCert,
        key: pki.clientKey,
        remote: ['127.0.0.1', String(await unusedUdpPort()), 'udp'],
      }),
    );
  });

  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a wrong password is rejected with ERR_PASSWORD, without echoing it', async () => {
    const client = new ManagementClient({ host: '127.0.0.1', port, password: 'guess-1234' });
    const error: ManagementError = await client.connect().then(
      () => {
        throw new Error('connected with a wrong password');
      },
      (e: ManagementError) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_PASSWORD', retryable: false });
    expect(error.message).toBe(`OpenVPN at 127.0.0.1:${port} rejected the management password`);
    expect(error.message).not.toContain('guess-1234');
    expect(client.connected).toBe(false);
  });

  test('no password configured is ERR_PASSWORD too', async () => {
    const client = new ManagementClient({ host: '127.0.0.1', port });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ERR_PASSWORD' });
  });

  test('the right password (quotes, backslash, spaces sent verbatim) opens the session', async () => {
    const client = new ManagementClient({
      host: '127.0.0.1',
      port,
      password: { reveal: () => password },
    });
    const holds: number[] = [];
    client.on('hold', (h) => holds.push(h.waitSeconds));
    await client.connect();
    expect(client.greeting).toMatch(/^OpenVPN Management Interface Version/);
    expect(await client.pid()).toBe(openvpn.pid);
    expect(await client.hold()).toBe(true);
    expect(holds).toEqual([0]);
    await client.quit();
    expect(await client.whenClosed()).toMatchObject({ reason: 'quit' });
    // The daemon is unaffected by the failed attempts and the quit.
    expect(openvpn.child.exitCode).toBeNull();
  });
});
