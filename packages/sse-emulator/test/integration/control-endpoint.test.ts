import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@pa-connector/test-support';
import { CONTROL_HELPER_PATH, ControlEndpoint } from '../../src/gateways/control-endpoint';

/**
 * The built control helper as a real process, without a namespace: the control endpoint on
 * 127.0.0.1 and a "tunnel network" of 127.0.0.0/24, so the relay may dial 127.0.0.2 (loopback)
 * but not the "gateway" 127.0.0.1. The namespaced setup is covered by gateways.test.ts.
 */
describe('ControlEndpoint (the built helper process)', () => {
  let dir: string;
  let endpoint: ControlEndpoint;
  let echo: Server;
  let echoPort: number;
  const health: { remote: string; body: Record<string, unknown> }[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pa-control-'));
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.2', resolve));
    echoPort = (echo.address() as AddressInfo).port;
    endpoint = new ControlEndpoint({
      host: '127.0.0.1',
      port: await freePort(),
      tunnelNetwork: '127.0.0.0',
      relayPath: join(dir, 'relay.sock'),
      dialTimeoutMs: 1_000,
      onHealth: (remote, body) => health.push({ remote, body }),
      onLine: (line) => lines.push(line),
    });
    await endpoint.start();
  });

  afterAll(async () => {
    await endpoint?.stop();
    await new Promise((resolve) => echo?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the compiled helper by path, with its relay socket private (0600)', () => {
    expect(endpoint.running).toBe(true);
    expect(statSync(CONTROL_HELPER_PATH).isFile()).toBe(true);
    expect(statSync(join(dir, 'relay.sock')).mode & 0o777).toBe(0o600);
  });

  it('hands an accepted health update to the emulator and answers 202', async () => {
    const update = { connectorId: 'con_ab', sentAt: new Date().toISOString(), apps: [] };
    const res = await fetch(`${endpoint.url}/health`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    // The update reaches the emulator on the helper's stdout, which may come after the answer.
    await waitFor('the health event', () => health.length > 0, 5_000);
    expect(health).toEqual([{ remote: '127.0.0.1', body: update }]);
  });

  it('refuses a bad update with the field named, and unknown routes', async () => {
    const res = await fetch(`${endpoint.url}/health`, { method: 'POST', body: '{"apps":[]}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'invalid_request', message: 'connectorId must be a non-empty string' },
    });
    expect((await fetch(`${endpoint.url}/nope`)).status).toBe(404);
    expect((await fetch(`${endpoint.url}/healthz`)).status).toBe(200);
  });

  function relay(firstLine: string, payload = ''): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = connect(join(dir, 'relay.sock'));
      let got = '';
      s.on('data', (c: Buffer) => {
        got += c.toString('utf8');
        if (got.startsWith('OK\n') && got.length >= 3 + payload.length) s.end();
      });
      s.on('end', () => resolve(got));
      s.on('error', reject);
      s.write(`${firstLine}\n${payload}`);
    });
  }

  it('relays to a connector address on the tunnel network and pipes both ways', async () => {
    await expect(relay(`127.0.0.2 ${echoPort}`, 'ping')).resolves.toBe('OK\nping');
  });

  it('refuses the gateway itself, and a malformed destination', async () => {
    await expect(relay(`127.0.0.1 ${echoPort}`)).resolves.toBe(
      `ERR forbidden 127.0.0.1:${echoPort} is not a connector address on tunnel network 127.0.0.0/24\n`,
    );
    await expect(relay('somewhere')).resolves.toBe('ERR bad_request expected "<address> <port>"\n');
  });

  it('the helper refuses a bad command line, naming the argument', () => {
    const r = spawnSync(process.execPath, [CONTROL_HELPER_PATH, '127.0.0.1', '99999'], {
      encoding: 'utf8',
      input: '',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('control helper: expected 5 arguments, got 2');
  });
});
