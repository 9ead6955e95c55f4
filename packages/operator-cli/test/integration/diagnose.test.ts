import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startTinyproxy, stopAll, type TestProxy } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { buildCli } from '../support/build-cli';
import { runInProcess } from '../support/run-in-process';

afterAll(stopAll);

/** A CONNECT proxy on loopback that wants Basic credentials `user`:`password`. */
async function startConnectProxy(
  user: string,
  password: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = createHttpServer();
  server.on('connect', (req, client: Socket, head: Buffer) => {
    if (req.headers['proxy-authorization'] !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = connect(Number(port), host as string, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface JsonRow {
  section: 'firewall' | 'checks';
  service: string;
  destination: string;
  port: number | null;
  protocol: string;
  purpose: string;
  required: boolean;
  result: string;
  detail: string;
  timings: Record<string, number>;
}

describe('diagnose against the real emulator', () => {
  let dir: string;
  let emu: EmulatorHarness;
  let ssePort: number;
  let gateway: Server;
  let gatewayPort: number;
  let base: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pa-diag-it-'));
    emu = await startEmulatorHarness({ dataDir: join(dir, 'emu') });
    ssePort = Number(new URL(emu.sseUrl).port);
    // A TCP gateway: what diagnose checks of it is that the port accepts connections.
    gateway = createServer((s) => s.destroy());
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    gatewayPort = (gateway.address() as { port: number }).port;
    const resolv = join(dir, 'resolv.conf');
    writeFileSync(resolv, 'nameserver 127.0.0.1\nnameserver ::1\n');
    const localtime = join(dir, 'localtime');
    symlinkSync('/usr/share/zoneinfo/Etc/UTC', localtime);
    base = {
      PA_SSE_URLS: `https://localhost:${ssePort}`,
      PA_SSE_CA_FILE: emu.caCertPath,
      PA_GATEWAYS: `gw1=127.0.0.1:${gatewayPort}/tcp,gw2=127.0.0.1:1194/udp`,
      PA_DIAG_RESOLV_CONF: resolv,
      PA_DIAG_LOCALTIME: localtime,
      PA_DIAG_TIMEOUT: '3s',
      // Not enrolled here: the gateways come from PA_GATEWAYS.
      PA_DATA_DIR: join(dir, 'connector-data'),
      // Nothing listens there: the app servers row says so (and is not required).
      PA_POP_MANAGER_URL: `http://127.0.0.1:${await freePort()}`,
    };
  });

  afterAll(async () => {
    await new Promise((r) => gateway?.close(r));
    await emu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const diagnose = async (env: Record<string, string>, args: string[] = []) => {
    const r = await runInProcess(['diagnose', '--json', ...args], env);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { ok: boolean; profile: unknown; rows: JsonRow[] };
    return { ...r, report, row: (dest: string) => report.rows.find((x) => x.destination === dest) };
  };

  it('passes: SSE reached over TLS with the SSE CA, the TCP gateway accepts, host checks pass', async () => {
    const { code, report, row } = await diagnose(base, [
      '--profile',
      'onprem',
      '--sse-port',
      String(ssePort),
      '--gateway-port',
      String(gatewayPort),
    ]);
    const sse = row('localhost');
    expect(sse).toMatchObject({
      port: ssePort,
      protocol: 'tcp',
      required: true,
      result: 'pass',
    });
    expect(sse?.detail).toMatch(/TLSv1\.[23]/);
    expect(report.rows.find((x) => x.port === gatewayPort && x.section === 'checks')).toMatchObject(
      {
        protocol: 'tcp/openvpn',
        result: 'pass',
      },
    );
    expect(report.rows.find((x) => x.destination === 'time zone')).toMatchObject({
      result: 'pass',
    });
    expect(report.rows.find((x) => x.destination === 'resolv.conf')).toMatchObject({
      result: 'pass',
    });
    // The UDP gateway on another port than the profile's: a warning, not a failure.
    expect(report.rows.find((x) => x.port === 1194)).toMatchObject({
      result: 'warn',
      required: false,
    });
    expect(report.rows.find((x) => x.destination === 'app servers')).toMatchObject({
      result: 'skip',
      required: false,
      detail: expect.stringContaining('pop-manager is not reachable'),
    });
    expect(report.ok).toBe(true);
    expect(report.profile).toEqual({ name: 'onprem', ssePort, gatewayPort });
    expect(code).toBe(0);
    console.log(
      `diagnose timings (ms): SSE dns ${sse?.timings.dns?.toFixed(2)}, tcp ${sse?.timings.tcp?.toFixed(2)}, tls ${sse?.timings.tls?.toFixed(2)}`,
    );
  });

  it('prints the firewall table first, then the other checks, with a result per row', async () => {
    const r = await runInProcess(['diagnose'], base);
    const lines = r.stdout.split('\n');
    const firewall = lines.indexOf('Firewall (docs/firewall.md):');
    const others = lines.indexOf('Other checks:');
    expect(firewall).toBeGreaterThan(0);
    expect(others).toBeGreaterThan(firewall);
    expect(lines[firewall + 1]).toMatch(
      /^DESTINATION\s+PORT\s+PROTOCOL\s+PURPOSE\s+RESULT\s+DETAIL$/,
    );
    expect(lines[others + 1]).toMatch(
      /^SERVICE\s+DESTINATION\s+PORT\s+PROTOCOL\s+PURPOSE\s+REQUIRED\s+RESULT\s+DETAIL$/,
    );
    expect(lines.slice(firewall + 2, others - 1).map((l) => l.split(/\s{2,}/).slice(0, 4))).toEqual(
      [
        ['<pop>.pa-wgcs.pa-connector.net', '443', 'udp/tcp', 'tunnel to the gateway'],
        ['localhost', String(ssePort), 'tcp', 'connector registration'],
        ['localhost', String(ssePort), 'tcp', 'tokens'],
        ['localhost', String(ssePort), 'tcp', 'POP status, logs and health'],
        ['localhost', String(ssePort), 'tcp', 'catalog and release'],
        ['registry.pa-connector.net', '443', 'tcp', 'image pulls'],
      ],
    );
    expect(lines.find((l) => l.includes('connector registration'))).toMatch(
      /\s+WARN\s+the saas profile expects connector registration on port 8080; /,
    );
    expect(r.stdout).toContain('OK: every required check passed');
    expect(r.code).toBe(0);
  });

  it('fails with the SSE unreachable: that row fails and the exit code is 1', async () => {
    const unused = await freePort();
    const { code, report } = await diagnose({
      ...base,
      PA_SSE_URLS: `https://127.0.0.1:${unused}`,
    });
    const sse = report.rows.find((x) => x.port === unused);
    expect(sse).toMatchObject({ result: 'fail', required: true });
    expect(sse?.detail).toContain('connection refused');
    expect(report.ok).toBe(false);
    expect(code).toBe(1);
  });

  it('fails the TLS step when the SSE certificate is not signed by the configured CA', async () => {
    // The system's public roots: none of them signed the emulator's server certificate.
    const otherCa = join(dir, 'other-ca.pem');
    writeFileSync(otherCa, readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8'));
    const { code, row } = await diagnose({ ...base, PA_SSE_CA_FILE: otherCa });
    expect(row('localhost')).toMatchObject({ result: 'fail' });
    expect(row('localhost')?.detail).toMatch(
      /^tls: handshake failed: .*\((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
    );
    expect(code).toBe(1);
  });

  it('more than three nameservers, or a time zone other than UTC: required rows fail, exit 1', async () => {
    const four = join(dir, 'resolv-four.conf');
    writeFileSync(
      four,
      ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((n) => `nameserver ${n}`).join('\n'),
    );
    const ns = await diagnose({ ...base, PA_DIAG_RESOLV_CONF: four, PA_DIAG_TIMEOUT: '200ms' });
    expect(ns.row('resolv.conf')).toMatchObject({
      result: 'fail',
      detail: expect.stringContaining('10.0.0.4 ignored'),
    });
    // Only the three that are used get a row of their own.
    expect(
      ns.report.rows.filter((x) => x.protocol === 'udp/dns').map((x) => x.destination),
    ).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    expect(ns.code).toBe(1);
    const tz = await diagnose({ ...base, TZ: 'Europe/Paris' });
    expect(tz.row('time zone')).toMatchObject({
      result: 'fail',
      detail: expect.stringContaining('TZ=Europe/Paris'),
    });
    expect(tz.code).toBe(1);
  });

  it('over IPv6: the SSE at [::1] passes DNS-free TCP and TLS', async () => {
    const v6 = await startEmulatorHarness({ dataDir: join(dir, 'emu6'), host: '::1' });
    try {
      const port = Number(new URL(v6.sseUrl).port);
      const { code, report } = await diagnose({
        ...base,
        PA_SSE_URLS: `https://[::1]:${port}`,
        PA_SSE_CA_FILE: v6.caCertPath,
      });
      const sse = report.rows.find((x) => x.purpose === 'connector registration');
      expect(sse).toMatchObject({ destination: '[::1]', port, result: 'warn' });
      expect(sse?.detail).toMatch(/; tcp \d+(\.\d)? ms, TLSv1\.[23] /);
      expect(code).toBe(0);
    } finally {
      await v6.stop();
    }
  });

  describe('through a real HTTP proxy (tinyproxy)', () => {
    let proxy: TestProxy;
    let authProxy: TestProxy;
    // What operators type: an e-mail address as the user, `/` and `@` in the password, unencoded
    // (tinyproxy's configuration cannot hold those characters, so a small CONNECT proxy checks them).
    let oddProxy: { port: number; close: () => Promise<void> };
    beforeAll(async () => {
      proxy = await startTinyproxy();
      authProxy = await startTinyproxy({ auth: { user: 'diag', password: 'pr0xy-s3cret' } });
      oddProxy = await startConnectProxy('ann@corp.example', 'p/w@9x');
    });
    afterAll(async () => {
      await proxy?.stop();
      await authProxy?.stop();
      await oddProxy?.close();
    });

    it('credentials with @ and / written as typed: the proxy accepts them and none is printed', async () => {
      const file = join(dir, 'proxy-url-odd');
      writeFileSync(file, `http://ann@corp.example:p/w@9x@127.0.0.1:${oddProxy.port}\n`, {
        mode: 0o600,
      });
      const good = await runInProcess(['diagnose'], { ...base, PA_PROXY_URL_FILE: file });
      expect(good.stdout).toContain(`CONNECT via http://127.0.0.1:${oddProxy.port}`);
      expect(good.code).toBe(0);
      // A one-character password, refused by the proxy: still never shown.
      const short = join(dir, 'proxy-url-short');
      writeFileSync(short, `http://ann@corp.example:Q@127.0.0.1:${oddProxy.port}\n`, {
        mode: 0o600,
      });
      const bad = await runInProcess(['diagnose', '--json'], { ...base, PA_PROXY_URL_FILE: short });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/the proxy wants other credentials/);
      for (const out of [good.stdout, good.stderr, bad.stdout, bad.stderr]) {
        expect(out).not.toContain('ann@corp');
        expect(out).not.toContain('corp.example:');
        expect(out).not.toContain('p/w');
        expect(out).not.toContain(':Q@');
      }
    });

    it('the TLS row passes via CONNECT, and the proxy saw the CONNECT', async () => {
      const { code, row, report } = await diagnose({ ...base, PA_PROXY_URL: proxy.url });
      expect(row('localhost')).toMatchObject({ result: 'warn' });
      expect(row('localhost')?.detail).toContain(`CONNECT via http://127.0.0.1:${proxy.port}`);
      expect(row('localhost')?.detail).toMatch(/TLSv1\.[23]/);
      expect(report.rows.find((x) => x.protocol === 'tcp/http-proxy')).toMatchObject({
        port: proxy.port,
        result: 'pass',
      });
      expect(proxy.log()).toMatch(new RegExp(`CONNECT localhost:${ssePort}`));
      expect(code).toBe(0);
    });

    it('no-proxy hosts go direct: the proxy sees no CONNECT for them', async () => {
      const before = (proxy.log().match(/CONNECT 127\.0\.0\.1:/g) ?? []).length;
      const { row } = await diagnose({
        ...base,
        PA_SSE_URLS: `https://127.0.0.1:${ssePort}`,
        PA_PROXY_URL: proxy.url,
        PA_NO_PROXY: '127.0.0.0/8',
      });
      expect(row('127.0.0.1')?.detail).not.toContain('CONNECT via');
      expect((proxy.log().match(/CONNECT 127\.0\.0\.1:/g) ?? []).length).toBe(before);
    });

    it('a proxy with credentials from PA_PROXY_URL_FILE: passes, and the password is never printed', async () => {
      const file = join(dir, 'proxy-url');
      writeFileSync(file, `${authProxy.url}\n`, { mode: 0o600 });
      const good = await runInProcess(['diagnose'], { ...base, PA_PROXY_URL_FILE: file });
      expect(good.stdout).toContain(`CONNECT via http://127.0.0.1:${authProxy.port}`);
      expect(good.code).toBe(0);
      const wrong = join(dir, 'proxy-url-wrong');
      writeFileSync(wrong, `http://diag:wrong-pass@127.0.0.1:${authProxy.port}\n`, { mode: 0o600 });
      const bad = await runInProcess(['diagnose', '--json'], { ...base, PA_PROXY_URL_FILE: wrong });
      const sse = (JSON.parse(bad.stdout) as { rows: JsonRow[] }).rows.find(
        (x) => x.destination === 'localhost',
      );
      expect(sse).toMatchObject({ result: 'fail' });
      // tinyproxy answers 401 where RFC 9110 says 407; either names the credentials.
      expect(sse?.detail).toMatch(
        /refused CONNECT localhost:\d+: 40[17] .*\(the proxy wants other credentials\)/,
      );
      expect(bad.code).toBe(1);
      for (const out of [good.stdout, good.stderr, bad.stdout, bad.stderr]) {
        expect(out).not.toContain('pr0xy-s3cret');
        expect(out).not.toContain('wrong-pass');
      }
    });
  });

  it('the built CLI exits 1 when a required row fails and 0 when none does', async () => {
    const cli = buildCli();
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...base };
    // Asynchronously: the emulator answers from this very process.
    const run = (extra: Record<string, string>) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [cli, 'diagnose'],
          { env: { ...env, ...extra } },
          (err, stdout, stderr) =>
            resolve({
              status: err ? ((err as { code?: number }).code ?? null) : 0,
              stdout,
              stderr,
            }),
        );
      });
    const ok = await run({});
    expect(ok).toMatchObject({ status: 0, stderr: '' });
    const down = await run({ PA_GATEWAYS: '127.0.0.1:1/tcp' });
    expect(down.stdout).toMatch(
      /127\.0\.0\.1\s+1\s+tcp\/openvpn.*FAIL\s+tcp: 127\.0\.0\.1:1 connection refused/,
    );
    expect(down.status).toBe(1);
  });
});
