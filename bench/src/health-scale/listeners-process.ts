#!/usr/bin/env node
import { createServer, type Server } from 'node:net';
/**
 * The app servers of the health-scale bench, run inside the app namespace: ONE process listening
 * on many TCP ports of one address (a listener per port, each closing what it accepts at once,
 * as a health probe needs nothing more). Signals change the ports while it runs: SIGUSR1 opens
 * the `--open-later` range, SIGUSR2 closes the `--close-later` range, each answered with one
 * JSON line (the bench's tracked processes have no stdin).
 *
 *   node listeners-process.js --host 10.0.0.2 --from 20000 --count 9000 \
 *     [--open-later 29000-29009] [--close-later 20018-20026]
 *
 * Prints `{"event":"listening","count":N}` once every listener is bound. Needs an open-files
 * limit above the port count (the bench raises it before the spawn).
 */
import { option, positiveInteger } from '../cli-args';

const host = option('host');
if (typeof host !== 'string') throw new Error('--host is required');
const from = positiveInteger('from', 20_000);
const count = positiveInteger('count', 9_000);

const servers = new Map<number, Server>();
const say = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

function listen(port: number): Promise<void> {
  if (servers.has(port)) return Promise.resolve();
  const s = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.destroy();
  });
  servers.set(port, s);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host, port, backlog: 64 }, () => resolve());
  });
}

function close(port: number): Promise<void> {
  const s = servers.get(port);
  servers.delete(port);
  return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
}

async function range(text: string, each: (port: number) => Promise<void>): Promise<number> {
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (!m) throw new Error(`a range is <from>-<to>, not ${text}`);
  const [a, b] = [Number(m[1]), Number(m[2])];
  // Batches: thousands of binds at once would queue as many callbacks for nothing.
  const ports = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  for (let i = 0; i < ports.length; i += 500) await Promise.all(ports.slice(i, i + 500).map(each));
  return ports.length;
}

async function main(): Promise<void> {
  await range(`${from}-${from + count - 1}`, listen);
  say({ event: 'listening', count: servers.size });
  const later = (signal: NodeJS.Signals, name: string, act: (port: number) => Promise<void>) => {
    const what = option(name);
    if (typeof what !== 'string') return;
    process.on(signal, () => {
      range(what, act).then(
        (n) => say({ event: name, ports: n, count: servers.size }),
        (err: unknown) => say({ event: 'error', message: (err as Error).message }),
      );
    });
  };
  later('SIGUSR1', 'open-later', listen);
  later('SIGUSR2', 'close-later', close);
  // The bench ends this process by PID (SIGTERM).
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err: unknown) => {
  say({ event: 'error', message: (err as Error).message });
  process.exit(1);
});
