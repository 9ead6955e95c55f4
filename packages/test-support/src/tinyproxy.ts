import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSecretFile } from '@pa-connector/config';
import { freePort } from './free-port';
import { run } from './netns/exec';
import { spawnTracked, type TrackedProcess } from './processes';
import { requireBinary } from './require-binary';

export interface TestProxy {
  /** `http://127.0.0.1:<port>` (with credentials when basic auth is on). */
  url: string;
  port: number;
  process: TrackedProcess;
  /** tinyproxy's log so far, to check which CONNECTs went through it. */
  log(): string;
  stop(): Promise<void>;
}

export interface TinyproxyOptions {
  auth?: { user: string; password: string };
  /** Run inside this network namespace (on its loopback, port 3128, unless `listen` says). */
  netns?: string;
  /** With `netns`: listen on this address and port of the namespace instead. */
  listen?: { address: string; port: number };
  /** With `listen`: the clients allowed besides loopback (addresses or CIDRs). */
  allow?: string[];
  /**
   * With `netns`: the DNS server the proxy resolves its targets with (written as the namespace's
   * own resolv.conf, `/etc/netns/<netns>/resolv.conf`, which `ip netns exec` puts in place).
   */
  dnsServer?: string;
}

/**
 * A real forward proxy (tinyproxy) on a free loopback port. CONNECT is allowed to any port;
 * only loopback clients may use it. With `auth`, Basic authentication is required. With `netns`
 * it runs inside that network namespace (on its loopback, port 3128), for clients living there;
 * with `listen` and `allow` too, it serves other hosts of a test network.
 */
export async function startTinyproxy(opts: TinyproxyOptions = {}): Promise<TestProxy> {
  const bin = requireBinary('tinyproxy', 'tinyproxy');
  if ((opts.listen || opts.dnsServer) && !opts.netns) {
    throw new Error('startTinyproxy: listen and dnsServer need netns');
  }
  // A namespace made for the test has every port free.
  const port = opts.listen?.port ?? (opts.netns ? 3128 : await freePort());
  const address = opts.listen?.address ?? '127.0.0.1';
  const resolvDir = opts.netns && opts.dnsServer ? join('/etc/netns', opts.netns) : undefined;
  if (resolvDir && opts.dnsServer) {
    mkdirSync(resolvDir, { recursive: true });
    writeFileSync(join(resolvDir, 'resolv.conf'), `nameserver ${opts.dnsServer}\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pa-proxy-'));
  const logFile = join(dir, 'tinyproxy.log');
  const conf = [
    `Port ${port}`,
    `Listen ${address}`,
    'Timeout 60',
    `LogFile "${logFile}"`,
    'LogLevel Connect',
    'MaxClients 100',
    'Allow 127.0.0.1',
    ...(opts.allow ?? []).map((a) => `Allow ${a}`),
    // No ConnectPort lines: CONNECT to any port (the SSE may listen anywhere in tests).
    ...(opts.auth ? [`BasicAuth ${opts.auth.user} ${opts.auth.password}`] : []),
  ].join('\n');
  const confFile = join(dir, 'tinyproxy.conf');
  await writeSecretFile(confFile, `${conf}\n`);
  const proc = opts.netns
    ? spawnTracked('ip', ['netns', 'exec', opts.netns, bin, '-d', '-c', confFile])
    : spawnTracked(bin, ['-d', '-c', confFile]);
  if (opts.netns) await waitForPortInNetns(opts.netns, address, port, proc);
  else await waitForPort(port, proc);
  const auth = opts.auth
    ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.password)}@`
    : '';
  return {
    url: `http://${auth}${address}:${port}`,
    port,
    process: proc,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
      if (resolvDir) rmSync(resolvDir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, proc: TrackedProcess): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`tinyproxy exited: ${proc.lines.join('\n')}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tinyproxy did not listen on ${port} within 10s`);
}

async function waitForPortInNetns(
  netns: string,
  address: string,
  port: number,
  proc: TrackedProcess,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`tinyproxy exited: ${proc.lines.join('\n')}`);
    const probe = `exec 3<>/dev/tcp/${address}/${port}`;
    const ok = await run('ip', ['netns', 'exec', netns, 'bash', '-c', probe]).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`tinyproxy did not listen on ${port} in ${netns} within 10s`);
}
