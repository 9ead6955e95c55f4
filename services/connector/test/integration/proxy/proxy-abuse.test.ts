import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { CatalogApp } from '@pa-connector/sse-api';
import { spawnTracked, stopAll, type TrackedProcess, waitFor } from '@pa-connector/test-support';
import { type AppServerProcess, startAppServer } from './support/app-net';
import { connectVia } from './support/connect-client';

afterAll(stopAll);

const SCRIPT = join(__dirname, 'support', 'proxy-process.cjs');

const loopApp = (serverPort: number): CatalogApp => ({
  id: 'a',
  name: 'a',
  host: 'a.internal',
  port: 80,
  servers: [{ host: '127.0.0.1', port: serverPort }],
  strategy: 'round-robin',
  healthCheck: { type: 'tcp' },
});

/** An app none of whose servers is healthy: a CONNECT to it is refused with 503. */
const downApp = (serverPort: number): CatalogApp => ({
  ...loopApp(serverPort),
  id: 'down',
  name: 'down',
  host: 'down.internal',
});

interface ProxyProcess {
  proc: TrackedProcess;
  port: number;
  fds(): number;
  entries(): Array<Record<string, unknown>>;
}

/** The built proxy in a process of its own (its descriptors are the proxy's alone). */
async function startProxyProcess(
  apps: CatalogApp[],
  limits: Record<string, number>,
  downApps: string[] = [],
): Promise<ProxyProcess> {
  const proc = spawnTracked(process.execPath, [SCRIPT, JSON.stringify({ apps, limits, downApps })]);
  const line = await proc.waitForLine(/^listening \d+$/, 15_000);
  return {
    proc,
    port: Number(line.split(' ')[1]),
    fds: () => readdirSync(`/proc/${proc.pid}/fd`).length,
    entries: () =>
      proc.lines
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** One user: CONNECT to the app, one echo round trip. Resolves with the time it took (ms). */
async function userRoundTrip(port: number): Promise<number> {
  const started = performance.now();
  const t = await connectVia({ host: '127.0.0.1', port }, 'a.internal:80');
  try {
    if (t.status !== 200) throw new Error(`user got ${t.status}: ${t.answer.trim()}`);
    t.socket.write('who\n');
    const got = await t.line();
    if (got !== 'app') throw new Error(`user got ${JSON.stringify(got)} from the app`);
  } finally {
    t.socket.destroy();
  }
  return performance.now() - started;
}

type Kind =
  | 'refused-400-trickles'
  | 'refused-405'
  | 'refused-403-trickles'
  | 'trickles-head'
  | 'half-closed'
  | 'refused-431'
  | 'refused-503-trickles';
const KINDS: Kind[] = [
  'refused-400-trickles',
  'refused-405',
  'refused-403-trickles',
  'trickles-head',
  'half-closed',
  'refused-431',
  'refused-503-trickles',
];

/**
 * A hostile client that never closes on its own: it keeps its side open (no FIN, half-open
 * allowed) and may go on sending a byte every `tickMs`. Those that only wait read what comes
 * (to see the proxy's FIN); those that trickle never read (they see the proxy's reset on their
 * next byte). Resolves with how it ended: closed by the proxy (FIN or reset seen), or still open
 * at `giveUpMs`. Either way this side is then destroyed.
 */
function abusive(
  port: number,
  kind: Kind,
  giveUpMs: number,
  tickMs = 100,
): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const s: Socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    s.pause();
    let tick: NodeJS.Timeout | undefined;
    const trickle = (text: string) => {
      let i = 0;
      tick = setInterval(() => {
        if (!s.destroyed) s.write(text[i++ % text.length] as string);
      }, tickMs);
    };
    const giveUp = setTimeout(() => {
      clearInterval(tick);
      s.destroy();
      resolve('open');
    }, giveUpMs);
    const closedByProxy = () => {
      clearInterval(tick);
      clearTimeout(giveUp);
      s.destroy();
      resolve('closed');
    };
    s.on('error', closedByProxy);
    s.on('end', closedByProxy);
    s.on('close', closedByProxy);
    s.on('connect', () => {
      switch (kind) {
        case 'refused-400-trickles':
          s.write('CONNECT a.internal HTTP/1.1\r\n\r\n');
          trickle('z');
          break;
        case 'refused-405':
          s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
          s.resume();
          break;
        case 'refused-403-trickles':
          s.write('CONNECT elsewhere.internal:80 HTTP/1.1\r\n\r\n');
          trickle('x');
          break;
        case 'trickles-head':
          trickle('CONNECT a.internal:80 HTTP/1.1\r\nX-Slow: ');
          break;
        case 'half-closed':
          s.end('CONNECT a.internal:80 HTTP/1.1\r\n');
          s.resume();
          break;
        case 'refused-431':
          s.write(`CONNECT a.internal:80 HTTP/1.1\r\nX-Pad: ${'p'.repeat(9000)}\r\n\r\n`);
          trickle('y');
          break;
        case 'refused-503-trickles':
          s.write('CONNECT down.internal:80 HTTP/1.1\r\n\r\n');
          trickle('w');
          break;
      }
    });
  });
}

describe('the proxy under abusive clients (built proxy in its own process, real sockets)', () => {
  let app: AppServerProcess;
  beforeAll(async () => {
    app = await startAppServer('app', { host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('three clients trickling after their refusal do not hold a limit of three', async () => {
    const p = await startProxyProcess([loopApp(app.port)], {
      maxConnections: 3,
      maxConnectionsPerApp: 3,
      headerTimeoutMs: 300,
      idleTimeoutMs: 60_000,
      dialTimeoutMs: 3_000,
      drainGraceMs: 1_000,
    });
    try {
      // Each trickles a byte every 250 ms and never sends FIN: 408 after 300 ms, then more bytes.
      const tricklers = [0, 1, 2].map(() => abusive(p.port, 'trickles-head', 8_000, 250));
      await new Promise((r) => setTimeout(r, 2_500));
      const ms = await userRoundTrip(p.port);
      console.log(`user served in ${ms.toFixed(0)} ms after three tricklers were refused`);
      expect(await Promise.all(tricklers)).toEqual(['closed', 'closed', 'closed']);
    } finally {
      await p.proc.stop(3_000);
    }
  }, 30_000);

  it('10 000 refused (400, 403, 405, 408, 431, 503), trickling and half-closed connections: descriptors return, users served, logs aggregated', async () => {
    const TOTAL = 10_000;
    const CONCURRENCY = 200;
    const p = await startProxyProcess(
      [loopApp(app.port), downApp(app.port)],
      {
        maxConnections: 1_000,
        maxConnectionsPerApp: 1_000,
        headerTimeoutMs: 400,
        idleTimeoutMs: 60_000,
        dialTimeoutMs: 3_000,
        drainGraceMs: 1_000,
        refusalLingerMs: 300,
        refusalLogIntervalMs: 2_000,
      },
      ['down'],
    );
    try {
      await userRoundTrip(p.port);
      const startFds = p.fds();
      let peakFds = startFds;
      const outcomes = { closed: 0, open: 0 };
      let next = 0;
      let abuseDone = false;
      const worker = async () => {
        while (next < TOTAL) {
          const kind = KINDS[next++ % KINDS.length] as Kind;
          outcomes[await abusive(p.port, kind, 15_000)]++;
        }
      };
      const userTimes: number[] = [];
      const userErrors: string[] = [];
      const users = (async () => {
        while (!abuseDone) {
          try {
            userTimes.push(await userRoundTrip(p.port));
          } catch (err) {
            userErrors.push((err as Error).message);
          }
          peakFds = Math.max(peakFds, p.fds());
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const abuseMs = performance.now() - started;
      abuseDone = true;
      await users;
      await waitFor('descriptors back to the start', () => p.fds() <= startFds, 10_000);
      const endFds = p.fds();
      userTimes.sort((a, b) => a - b);
      const pct = (q: number) => userTimes[Math.floor((userTimes.length - 1) * q)]?.toFixed(1);
      console.log(
        `${TOTAL} abusive connections (${CONCURRENCY} at a time) in ${(abuseMs / 1000).toFixed(1)} s: ` +
          `${outcomes.closed} closed by the proxy, ${outcomes.open} left open; ` +
          `proxy fds start ${startFds}, peak ${peakFds}, end ${endFds}; ` +
          `${userTimes.length} user round trips (p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms), ` +
          `${userErrors.length} failed`,
      );
      expect(outcomes).toEqual({ closed: TOTAL, open: 0 });
      expect(userErrors).toEqual([]);
      expect(userTimes.length).toBeGreaterThan(10);
      expect(endFds).toBeLessThanOrEqual(startFds);

      // Stopping flushes the last interval's counts.
      await p.proc.stop(5_000);
      const logged = p.entries().filter((e) => typeof e.reason === 'string');
      const samples = logged.filter((e) => e.msg === 'proxy refused connection');
      const counts = logged.filter((e) => e.msg === 'proxy refusals in the last interval');
      console.log(`refusal log: ${samples.length} detailed lines, ${counts.length} count lines`);
      expect(logged.length).toBeLessThan(200);
      const total =
        counts.reduce((n, e) => n + (e.count as number), 0) + samples.length - counts.length;
      expect(total).toBe(TOTAL);
      expect(new Set(logged.map((e) => e.reason))).toEqual(
        new Set([
          'malformed',
          'not_connect',
          'not_in_catalog',
          'header_timeout',
          'head_too_large',
          'no_healthy_server',
        ]),
      );
    } finally {
      await p.proc.stop(3_000);
    }
  }, 240_000);
});
