import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  requireBinary,
  requireRoot,
  spawnTracked,
  stopAll,
  type TrackedProcess,
} from '@pa-connector/test-support';

const ROOT = join(__dirname, '../..');
const DEMO = join(ROOT, 'e2e/dist/demo/main.js');
/** A key as the emulator issues one: base64url of {"connectorName":"…", …}. */
const PROVISIONING_KEY = /eyJjb25uZWN0b3JOYW1lIjoi[A-Za-z0-9_-]{100,}/;

afterAll(stopAll);

/** The `--json` line that says everything is up. */
interface ReadyLine {
  ingressUrl: string;
  adminUrl: string;
  apps: Array<{ id: string; host: string; port: number }>;
  connectors: Array<{
    id: string;
    netns: string;
    readyUrl: string;
    pids: { connector: number; openvpn: { t1: number; t2: number } };
  }>;
}

/** What a finished (or stopped) demo printed about itself. */
function runFacts(out: string) {
  const runDir = /removed (\/\S+)/.exec(out)?.[1];
  const runId = /removed network namespaces pa([0-9a-f]{6})-\*/.exec(out)?.[1];
  const pids = (/processes \(by PID\): ([\d ]+)/.exec(out)?.[1] ?? '')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return { runDir, runId, pids };
}

/** Run directories under .demo (another demo may be running: compare before and after). */
function demoRunDirs(): string[] {
  const dir = join(ROOT, '.demo');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Alive and not a zombie (a SIGKILLed orphan waits for a reaper that may not exist here). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Nothing of the run is left: no run directory, no namespace, no process it started. */
function expectCleanedUp(out: string): void {
  const { runDir, runId, pids } = runFacts(out);
  expect(runDir).toBeDefined();
  expect(runId).toBeDefined();
  expect(pids.length).toBeGreaterThanOrEqual(8);
  expect(existsSync(runDir as string)).toBe(false);
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  expect(namespaces.split('\n').filter((l) => l.startsWith(`pa${runId}-`))).toEqual([]);
  const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
  expect(links).not.toContain(`pa${runId}r`);
  expect(pids.filter(isRunning)).toEqual([]);
}

/** The parts of the demo's report every run must show. */
function expectHealthyReport(out: string): void {
  expect(out).toMatch(/tunnels: 2 of 2 up/);
  expect(out).toMatch(/t1\s+connected\s+gateway demo-gw\d/);
  expect(out).toMatch(/t2\s+connected\s+gateway demo-gw\d/);
  for (const s of ['connector', 'logging', 'update', 'pop-manager']) {
    expect(out).toMatch(new RegExp(`${s}\\s+/ready 200`));
  }
  // The request through the ingress was answered by the sample app.
  expect(out).toMatch(/HTTP 200 from app[12] in [\d.]+ ms: hello from app[12] \(GET \/\)/);
  // Identity files are private to the owner (directories 0700, files 0600).
  const identity = out.split('\n').filter((l) => /^\s+0\d{3}\s+\S/.test(l));
  for (const f of ['ca-chain.pem', 'client.crt', 'client.key', 'identity.json']) {
    expect(identity).toContainEqual(
      expect.stringMatching(new RegExp(`^\\s+0600\\s+identity-\\w+/${f}$`)),
    );
  }
  for (const l of identity) expect(l).toMatch(l.trim().endsWith('/') ? /^\s+0700\s/ : /^\s+0600\s/);
  expect(out).toMatch(/the cloud sees connector con_\w+ \(hostname pop-[0-9a-f]{6}, region demo\)/);
  expect(out).toMatch(/curl -p -x http:\/\/127\.0\.0\.1:\d+ http:\/\/web\.demo\.internal:80\//);
  // The provisioning key never shows.
  expect(out).not.toMatch(PROVISIONING_KEY);
}

describe('the demo (pnpm demo)', () => {
  beforeAll(() => {
    requireRoot('the demo creates network namespaces, tun devices and openvpn processes');
    requireBinary('redis-server', 'redis-server');
    requireBinary('openvpn', 'openvpn');
    if (!existsSync(DEMO)) throw new Error(`${DEMO} is missing: run "pnpm build" first`);
  });

  it('--once: two tunnels, every service ready, a request through the ingress answered by the sample app, then everything removed', async () => {
    const demo = spawnTracked(process.execPath, [DEMO, '--once'], { cwd: ROOT });
    const code = await demo.exited;
    const out = demo.lines.join('\n');
    expect({ code, tail: demo.lines.slice(-5) }).toEqual({
      code: 0,
      tail: expect.arrayContaining([expect.stringMatching(/^removed \//)]),
    });
    expect(out).toContain('all checks passed');
    expectHealthyReport(out);
    expectCleanedUp(out);
  });

  it('--connectors 2 --json --once: one JSON object per line, the ready line names both connectors, their /ready and their processes', async () => {
    const demo = spawnTracked(process.execPath, [DEMO, '--connectors', '2', '--json', '--once'], {
      cwd: ROOT,
    });
    const readyLine = await demo.waitForLine(/^\{"event":"ready"/, 150_000);
    // Hold the demo itself while its stack is looked at: --once would otherwise go on to its
    // checks and clean-up; the stack's processes are its own and run on.
    demo.child.kill('SIGSTOP');
    let ready: ReadyLine;
    const seen: Array<{ id: string; status: number; alive: boolean[] }> = [];
    try {
      ready = JSON.parse(readyLine) as ReadyLine;
      for (const c of ready.connectors) {
        const res = await fetch(c.readyUrl, { signal: AbortSignal.timeout(5_000) });
        const pids = [c.pids.connector, c.pids.openvpn.t1, c.pids.openvpn.t2];
        seen.push({ id: c.id, status: res.status, alive: pids.map(isRunning) });
      }
    } finally {
      demo.child.kill('SIGCONT');
    }
    const code = await demo.exited;
    const events = demo.lines.map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
    expect(code).toBe(0);
    expect(ready.ingressUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.apps).toEqual([
      { id: 'web', host: 'web.demo.internal', port: 80 },
      { id: 'web6', host: 'web6.demo.internal', port: 80 },
    ]);
    expect(ready.connectors.map((c) => c.netns)).toEqual([
      expect.stringMatching(/^pa[0-9a-f]{6}-pop$/),
      expect.stringMatching(/^pa[0-9a-f]{6}-pop2$/),
    ]);
    expect(new Set(ready.connectors.map((c) => c.id)).size).toBe(2);
    expect(seen).toEqual(
      ready.connectors.map((c) => ({ id: c.id, status: 200, alive: [true, true, true] })),
    );
    expect(events.filter((e) => e.event === 'ready')).toHaveLength(1);
    expect(events.every((e) => ['progress', 'ready', 'check', 'done'].includes(e.event))).toBe(
      true,
    );
    const checks = events.filter((e) => e.event === 'check');
    expect(checks.length).toBeGreaterThan(10);
    expect(checks.filter((c) => c.ok !== true)).toEqual([]);
    expect(checks.map((c) => c.what)).toEqual(
      expect.arrayContaining([
        'pop1 both tunnels up',
        'pop2 both tunnels up',
        'pop2 connector /ready 200',
      ]),
    );
    expect(events.at(-1)).toEqual({ event: 'done', ok: true });
    // The human lines are all there, as progress events; the clean-up is the same.
    const progress = events
      .filter((e) => e.event === 'progress')
      .map((e) => String(e.line))
      .join('\n');
    expect(progress).toMatch(/HTTP 200 from app[12] in [\d.]+ ms/);
    expect(progress).not.toMatch(PROVISIONING_KEY);
    expectCleanedUp(progress);
    const pids = ready.connectors.flatMap((c) => [
      c.pids.connector,
      c.pids.openvpn.t1,
      c.pids.openvpn.t2,
    ]);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('runs until Ctrl-C: pa_connector.sh status works against it, SIGINT removes everything', async () => {
    let demo: TrackedProcess | undefined = spawnTracked(process.execPath, [DEMO], { cwd: ROOT });
    try {
      await demo.waitForLine(/^ready: /, 150_000);
      const out = demo.lines.join('\n');
      expectHealthyReport(out);
      const envLine = /PA_CONNECTOR_ENV=(\S+) bash (\S+) status/.exec(out);
      expect(envLine).not.toBeNull();
      const [, envFile, script] = envLine as RegExpExecArray;
      const status = execFileSync('bash', [script as string, 'status'], {
        env: { PATH: process.env.PATH, PA_CONNECTOR_ENV: envFile },
        encoding: 'utf8',
        timeout: 30_000,
      });
      process.stdout.write(`pa_connector.sh status against the demo:\n${status}\n`);
      expect(status).toMatch(/tunnels:\s+2 connected/);
      expect(status).toMatch(/connector:\s+ready/);
      for (const s of ['connector', 'logging', 'update', 'pop-manager']) {
        expect(status).toMatch(new RegExp(`^${s}\\s+up\\s`, 'm'));
      }

      demo.child.kill('SIGINT');
      const code = await demo.exited;
      const all = demo.lines.join('\n');
      demo = undefined;
      expect(code).toBe(0);
      expect(all).not.toMatch(PROVISIONING_KEY);
      expectCleanedUp(all);
    } finally {
      await demo?.stop(15_000);
    }
  });

  it('Ctrl-C while it is starting stops the start and removes what it had made', async () => {
    const runDirsBefore = demoRunDirs();
    const demo = spawnTracked(process.execPath, [DEMO], { cwd: ROOT });
    const network = await demo.waitForLine(/network: namespaces pa[0-9a-f]{6}-gw1/, 60_000);
    await demo.waitForLine(/redis: 127\.0\.0\.1:\d+/, 60_000);
    demo.child.kill('SIGINT');
    const code = await demo.exited;
    const out = demo.lines.join('\n');
    expect(code).toBe(0);
    expect(out).toContain('interrupted while starting');
    expect(out).not.toContain('ready: ');
    const runId = /pa([0-9a-f]{6})-gw1/.exec(network)?.[1] as string;
    const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(namespaces.split('\n').filter((l) => l.startsWith(`pa${runId}-`))).toEqual([]);
    expect(demoRunDirs().filter((d) => !runDirsBefore.includes(d))).toEqual([]);
  });
});
