import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@pa-connector/test-support';
import { mustRun } from '../../src/docker/command';
import type { ComposeProject } from '../../src/docker/compose-project';
import {
  type ComposeStack,
  printFigures,
  ROOT,
  seconds,
  startComposeStack,
} from '../../src/docker/compose-stack';

/** A key as the emulator issues one: base64url of its JSON fields. */
const KEY = /^[A-Za-z0-9_-]+$/;

/** The secret a key carries (the part that must never be logged). */
function secretOf(key: string): string {
  const secret = JSON.parse(Buffer.from(key, 'base64url').toString('utf8')).secret;
  if (typeof secret !== 'string' || secret.length !== 43) throw new Error('not a key');
  return secret;
}

let figures: Record<string, string> = {};
const run = randomBytes(4).toString('hex');
const hostname = `pa-e2e-${run}`;
let stack: ComposeStack | undefined;
let project: ComposeProject | undefined;
let dir: string | undefined;

async function readyJson(p: ComposeProject): Promise<{
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: Record<string, unknown> }>;
}> {
  const r = await p.fetchInside('connector', 'http://127.0.0.1:8080/ready');
  return JSON.parse(r.body);
}

beforeAll(async () => {
  stack = await startComposeStack({
    run,
    hostname,
    // Info lines too, so that the start-up itself has something to forward.
    env: { PA_LOG_FORWARD: 'true', PA_LOG_FORWARD_LEVEL: 'info' },
  });
  project = stack.project;
  dir = stack.dir;
  figures = stack.figures;
}, 900_000);

afterAll(async () => {
  try {
    await stack?.stop();
  } finally {
    printFigures('docker compose e2e figures', figures);
  }
}, 180_000);

describe('the compose stack with the demo profile (real dockerd, images on the local base)', () => {
  it('runs every service healthy, the connector enrolled with both tunnels up', async () => {
    const p = project as ComposeProject;
    const ready = await readyJson(p);
    expect(ready.ready).toBe(true);
    expect(ready.checks.enrolled?.ok).toBe(true);
    expect(ready.checks.redis?.ok).toBe(true);
    expect(ready.checks.tunnels?.detail).toMatchObject({ up: 2, total: 2 });

    // The cloud side sees this connector under the configured hostname.
    const connectorId = ready.checks.enrolled?.detail?.connectorId;
    expect(connectorId).toMatch(/^con_/);
    const seen = await p.fetchInside('emulator', `http://127.0.0.1:8444/admin/connectors`);
    const list = JSON.parse(seen.body) as { id: string; hostname: string }[];
    expect(list).toEqual([expect.objectContaining({ id: connectorId, hostname })]);
  });

  it("carries a user request through the gateway ingress, a tunnel and the connector's proxy to the demo app", async () => {
    const p = project as ComposeProject;
    // A user at the ingress (inside the emulator container, where it listens): CONNECT to the
    // app, then GET through the tunnel that opened.
    const user = String.raw`
      const net = require('node:net');
      const s = net.connect(8445, '127.0.0.1', () =>
        s.write('CONNECT demo-app:8080 HTTP/1.1\r\nHost: demo-app:8080\r\n\r\n'));
      let buf = '';
      let connected = false;
      const done = (o) => { process.stdout.write(JSON.stringify(o)); process.exit(0); };
      s.on('data', (d) => {
        buf += d;
        if (connected) return;
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buf.slice(0, end).split('\r\n')[0];
        if (!/^HTTP\/1\.[01] 200/.test(status)) done({ status, body: buf.slice(end + 4) });
        connected = true;
        buf = '';
        s.write('GET /from-a-user HTTP/1.1\r\nHost: demo-app:8080\r\nConnection: close\r\n\r\n');
      });
      s.on('end', () => done({ status: 'HTTP/1.1 200', answer: buf }));
      s.on('error', (e) => { process.stderr.write(String(e)); process.exit(1); });
      setTimeout(() => { process.stderr.write('no answer in 10 s'); process.exit(1); }, 10000);
    `;
    const t = Date.now();
    let last = '';
    const answer = await waitFor(
      'the demo app reachable through the ingress',
      async () => {
        const r = await p.exec('emulator', ['node', '-e', user]);
        last = r.stdout || r.stderr;
        const o = r.code === 0 ? (JSON.parse(r.stdout) as { answer?: string }) : {};
        return o.answer?.includes('hello from demo-app') ? o.answer : undefined;
      },
      120_000,
      2_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last attempt: ${last}`);
    });
    figures['first user request'] = `${seconds(Date.now() - t)} after all healthy`;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('x-app-server: demo-app');
    expect(answer).toContain('hello from demo-app (GET /from-a-user)');
    const stats = JSON.parse(
      (await p.fetchInside('emulator', 'http://127.0.0.1:8444/admin/ingress')).body,
    ) as { totals: Record<string, number> };
    expect(stats.totals.connected).toBeGreaterThanOrEqual(1);
  });

  it('keeps the identity private (0600 files, 0700 directories, owned by the service user)', async () => {
    const p = project as ComposeProject;
    // As the service user: the container's root has no CAP_DAC_OVERRIDE to look inside.
    const r = await p.exec(
      'connector',
      ['find', '/var/lib/pa-connector', '-printf', '%y %m %u:%g %p\\n'],
      '10001',
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const entries = r.stdout.trim().split('\n');
    const files = entries.filter((l) => l.startsWith('f '));
    const dirs = entries.filter((l) => l.startsWith('d '));
    expect(files.map((l) => l.split(' ').pop()?.split('/').pop()).sort()).toEqual(
      expect.arrayContaining(['ca-chain.pem', 'client.crt', 'client.key', 'identity.json']),
    );
    for (const f of files) expect(f).toMatch(/^f 600 pa:pa /);
    for (const d of dirs) expect(d).toMatch(/^d 700 pa:pa /);
  });

  it("forwards the services' log lines to the SSE through the connector", async () => {
    const p = project as ComposeProject;
    const id = (await readyJson(p)).checks.enrolled?.detail?.connectorId as string;
    const seen = await waitFor(
      'log lines at the SSE',
      async () => {
        const r = await p.fetchInside('emulator', `http://127.0.0.1:8444/admin/connectors/${id}`);
        const c = JSON.parse(r.body) as {
          logEntries: number;
          recentLogs: Array<{ service?: string; level?: string | number }>;
        };
        return c.logEntries > 0 ? c : undefined;
      },
      60_000,
      1_000,
    );
    const services = new Set(seen.recentLogs.map((l) => l.service));
    expect(services.size).toBeGreaterThan(0);
    for (const s of services)
      expect(['connector', 'logging', 'update', 'pop-manager']).toContain(s);
    const key = readFileSync(join(dir as string, 'secrets/provisioning-key'), 'utf8').trim();
    expect(JSON.stringify(seen.recentLogs).includes(secretOf(key))).toBe(false);
    expect(JSON.stringify(seen.recentLogs).includes(key)).toBe(false);
  });

  it('never shows the provisioning key in a container log or a log file', async () => {
    const p = project as ComposeProject;
    const key = readFileSync(join(dir as string, 'secrets/provisioning-key'), 'utf8').trim();
    expect(key).toMatch(KEY);
    const secret = secretOf(key);
    const logs = await p.logs();
    // The logs are there to search: the enrollment is in them.
    expect(logs).toMatch(/enrolling with the SSE/);
    expect(logs.includes(secret)).toBe(false);
    expect(logs.includes(key)).toBe(false);
    const files = await p.exec('logging', ['sh', '-c', 'cat /var/log/pa-connector/*.log']);
    expect(files.code).toBe(0);
    expect(files.stdout.length).toBeGreaterThan(0);
    expect(files.stdout.includes(secret)).toBe(false);
    expect(files.stdout.includes(key)).toBe(false);
  });

  it('runs node without capabilities and openvpn with NET_ADMIN alone, as uid 10001', async () => {
    const p = project as ComposeProject;
    const r = await p.exec('connector', [
      'sh',
      '-c',
      // Name Pid PPid Uid CapEff of every process (in the order /proc/<pid>/status lists them).
      'for s in /proc/[0-9]*/status; do awk \'/^(Name|Pid|PPid|Uid|CapEff):/ { printf "%s ", $2 } END { print "" }\' $s; done',
    ]);
    // The service (PID 1) and its openvpn children; health checks run by `docker exec` are not
    // the service's.
    const procs = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(' '))
      .filter(([name, pid, ppid]) => pid === '1' || (name === 'openvpn' && ppid === '1'));
    expect(procs.map(([name]) => name).sort()).toEqual(['node', 'openvpn', 'openvpn']);
    for (const [name, , , uid, caps] of procs) {
      // CAP_NET_ADMIN is bit 12.
      expect({ name, uid, caps }).toEqual({
        name,
        uid: '10001',
        caps: name === 'openvpn' ? '0000000000001000' : '0000000000000000',
      });
    }
  });

  it('keeps Redis behind its password, on the internal network only, with persistence on', async () => {
    const p = project as ComposeProject;
    const anonymous = await p.exec('redis', ['redis-cli', 'ping']);
    expect(anonymous.stdout).toMatch(/NOAUTH/);
    const aof = await p.exec('redis', ['sh', '-c', 'ls /data']);
    expect(aof.stdout).toMatch(/appendonlydir/);
    const redis = await p.container('redis');
    const networks = await mustRun('docker', [
      'inspect',
      '-f',
      '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}',
      redis.id,
    ]);
    expect(networks.stdout.trim()).toBe(`${p.name}_internal`);
    const internal = await mustRun('docker', [
      'network',
      'inspect',
      '-f',
      '{{.Internal}}',
      `${p.name}_internal`,
    ]);
    expect(internal.stdout.trim()).toBe('true');
    // The secret files on the host are the service user's alone.
    for (const f of ['redis-password', 'internal-api-token', 'provisioning-key']) {
      const st = statSync(join(dir as string, 'secrets', f));
      expect({ f, mode: (st.mode & 0o777).toString(8), uid: st.uid }).toEqual({
        f,
        mode: '600',
        uid: 10001,
      });
    }
  });

  it('answers pa_connector.sh status through docker exec into the pop-manager container', async () => {
    const p = project as ComposeProject;
    const pm = await p.container('pop-manager');
    // A copy of the menu away from the checkout, so it has no local CLI and must use docker exec.
    const menuDir = mkdtempSync(join(dir as string, 'menu-'));
    copyFileSync(join(ROOT, 'pa_connector.sh'), join(menuDir, 'pa_connector.sh'));
    const envFile = join(menuDir, 'pa_connector.env');
    writeFileSync(envFile, `PA_CONTAINER=${pm.id}\nPA_OPERATOR_CLI=${menuDir}/no-cli.js\n`);
    const t = Date.now();
    const r = await mustRun('bash', [join(menuDir, 'pa_connector.sh'), 'status'], {
      env: { ...process.env, PA_CONNECTOR_ENV: envFile },
      timeoutMs: 60_000,
    });
    figures['pa_connector.sh status'] = seconds(Date.now() - t);
    for (const s of ['connector', 'logging', 'update', 'pop-manager']) {
      expect(r.stdout).toContain(s);
    }
  });

  it('restarts the connector from its identity volume without enrolling again', async () => {
    const p = project as ComposeProject;
    const before = (await readyJson(p)).checks.enrolled?.detail?.connectorId;
    const t = Date.now();
    await p.run(['restart', 'connector'], 120_000);
    await waitFor(
      'the connector ready again',
      async () => (await readyJson(p).catch(() => undefined))?.ready === true,
      120_000,
      1_000,
    );
    figures['connector restart to ready'] = seconds(Date.now() - t);
    const after = await readyJson(p);
    expect(after.checks.enrolled?.detail?.connectorId).toBe(before);
    const logs = await p.logs();
    expect(logs).toMatch(/already enrolled/);
    // The one-use key was used exactly once.
    const keys = await p.fetchInside('emulator', 'http://127.0.0.1:8444/admin/connectors');
    expect(JSON.parse(keys.body)).toHaveLength(1);
  });
});
