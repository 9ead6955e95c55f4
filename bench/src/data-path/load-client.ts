#!/usr/bin/env node
/**
 * The measuring client of the data-path bench, run inside the gateway namespace against the app
 * server (app-server.ts), straight or through a CONNECT proxy (`--connect app-host:port`).
 * Prints one JSON line with its figures; exits 1 with a message on stderr when it cannot measure.
 *
 *   bulk      one stream sends for --seconds then half-closes; the server's byte count over the
 *             time until its answer: {"bytes","seconds","gbps"}
 *   pingpong  one stream per target, --count request/responses of --size bytes each (after
 *             --warmup), the targets taking turns: {"<name>":{"p50_ms","p90_ms","p99_ms",...}};
 *             the targets are --host/--port/--connect (named "target") or --paths (JSON list of
 *             {"name","host","port","connectTo"?})
 *   connrate  --concurrency loops for --seconds, each: new connection (+ CONNECT), one byte echoed,
 *             close: {"connections","per_second","setup_p50_ms","setup_p99_ms","errors"};
 *             with --pipeline the byte goes in the same write as the CONNECT request
 *   hold      opens --count connections (--concurrency at a time), each with one byte echoed, prints
 *             {"event":"holding","open":N,"seconds"} and keeps them until SIGTERM
 *
 *   node bench/dist/data-path/load-client.js --mode bulk --host 10.231.1.2 --port 3128 \
 *     --connect bench.app:9000 [--seconds 5]
 */
import type { Socket } from 'node:net';
import { option } from '../cli-args';
import { flag, positive } from './cli-args';
import { openStream, type StreamTarget } from './open-stream';
import { percentile, round } from './percentiles';

const SINK = Buffer.from('S');
const ECHO = Buffer.from('E');

function target(): StreamTarget {
  const port = Number(flag('port'));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error('--port must be 1-65535');
  const connectTo = flag('connect', '');
  return {
    host: flag('host'),
    port,
    ...(connectTo ? { connectTo } : {}),
    timeoutMs: positive('timeout-ms', 10_000),
  };
}

/** Resolves with exactly `n` bytes read from a paused-or-flowing socket. */
function readExactly(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      have += chunk.length;
      parts.push(chunk);
      if (have < n) return;
      cleanup();
      const all = Buffer.concat(parts);
      if (all.length > n) socket.unshift(all.subarray(n));
      resolve(all.subarray(0, n));
    };
    const onEnd = () => {
      cleanup();
      reject(new Error(`stream ended after ${have} of ${n} bytes`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
}

function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    socket.once('error', reject);
    socket.resume();
  });
}

async function bulk(t: StreamTarget): Promise<Record<string, number>> {
  const seconds = positive('seconds', 5);
  const chunk = Buffer.alloc(positive('chunk', 256 * 1024), 0x61);
  const socket = await openStream(t);
  const answer = readAll(socket);
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  let sent = 0;
  socket.write(SINK);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    const pump = () => {
      while (performance.now() < stopAt) {
        sent += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
      resolve();
    };
    pump();
  });
  const counted = Number((await answer).trim());
  const elapsed = (performance.now() - started) / 1000;
  if (counted !== sent) throw new Error(`server counted ${counted} bytes, ${sent} were sent`);
  return { bytes: counted, seconds: round(elapsed), gbps: round((counted * 8) / elapsed / 1e9) };
}

interface NamedTarget extends StreamTarget {
  name: string;
}

/** `--paths '[{"name","host","port","connectTo"?}]'`: several targets compared in one run. */
function namedTargets(): NamedTarget[] {
  const raw = flag('paths', '');
  if (!raw) return [{ name: 'target', ...target() }];
  const list = JSON.parse(raw) as unknown;
  if (!Array.isArray(list) || list.length === 0)
    throw new Error('--paths must be a non-empty array');
  return list.map((x: Partial<NamedTarget>, i) => {
    if (typeof x.name !== 'string' || typeof x.host !== 'string' || !Number.isInteger(x.port))
      throw new Error(`--paths[${i}] needs name, host and port`);
    return x as NamedTarget;
  });
}

/**
 * One connection per path; the paths take turns request by request, so a burst of load from
 * elsewhere on the machine falls on all of them alike.
 */
async function pingpong(): Promise<Record<string, Record<string, number>>> {
  const count = positive('count', 2_000);
  const warmup = Number(flag('warmup', '100'));
  const size = positive('size', 1024);
  const request = Buffer.alloc(size, 0x62);
  const paths = namedTargets();
  const sockets = await Promise.all(paths.map((p) => openStream(p)));
  for (const s of sockets) s.write(ECHO);
  const rtts: number[][] = paths.map(() => []);
  for (let i = 0; i < warmup + count; i++) {
    for (const [k, socket] of sockets.entries()) {
      const t0 = performance.now();
      socket.write(request);
      await readExactly(socket, size);
      const ms = performance.now() - t0;
      if (i >= warmup) rtts[k]?.push(ms);
    }
  }
  for (const s of sockets) s.destroy();
  const out: Record<string, Record<string, number>> = {};
  for (const [k, p] of paths.entries()) {
    const r = rtts[k] ?? [];
    out[p.name] = {
      samples: r.length,
      p50_ms: round(percentile(r, 50)),
      p90_ms: round(percentile(r, 90)),
      p99_ms: round(percentile(r, 99)),
      max_ms: round(Math.max(...r)),
      mean_ms: round(r.reduce((a, b) => a + b, 0) / r.length),
    };
  }
  return out;
}

/** A new connection that reaches the app: one byte through the echo server and back. */
async function oneRoundTrip(t: StreamTarget): Promise<Socket> {
  const byte = Buffer.concat([ECHO, Buffer.from('x')]);
  // --pipeline: the byte goes with the CONNECT request, before its answer.
  const pipelined = t.connectTo !== undefined && option('pipeline') === true;
  const socket = await openStream(pipelined ? { ...t, firstBytes: byte } : t);
  if (!pipelined) socket.write(byte);
  await readExactly(socket, 1);
  socket.pause();
  return socket;
}

async function connrate(t: StreamTarget): Promise<Record<string, number>> {
  const seconds = positive('seconds', 3);
  const concurrency = positive('concurrency', 16);
  const stopAt = performance.now() + seconds * 1000;
  const setups: number[] = [];
  let errors = 0;
  let lastError = '';
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      try {
        const s = await oneRoundTrip(t);
        setups.push(performance.now() - t0);
        s.destroy();
      } catch (err) {
        errors += 1;
        lastError = (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  if (setups.length === 0) throw new Error(`no connection completed: ${lastError}`);
  if (errors > 0) process.stderr.write(`connrate: ${errors} failed, last: ${lastError}\n`);
  return {
    connections: setups.length,
    per_second: Math.round(setups.length / elapsed),
    setup_p50_ms: round(percentile(setups, 50)),
    setup_p99_ms: round(percentile(setups, 99)),
    errors,
  };
}

async function hold(t: StreamTarget): Promise<void> {
  const count = positive('count', 10_000);
  const concurrency = positive('concurrency', 200);
  const open: Socket[] = [];
  const started = performance.now();
  let next = 0;
  const loop = async () => {
    while (next < count) {
      next += 1;
      const s = await oneRoundTrip(t);
      s.on('error', () => undefined);
      open.push(s);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, loop));
  const seconds = round((performance.now() - started) / 1000);
  process.stdout.write(`${JSON.stringify({ event: 'holding', open: open.length, seconds })}\n`);
  const lost = () => open.filter((s) => s.destroyed).length;
  process.once('SIGTERM', () => {
    process.stdout.write(`${JSON.stringify({ event: 'released', closedEarly: lost() })}\n`);
    for (const s of open) s.destroy();
    process.exit(0);
  });
  await new Promise(() => undefined);
}

async function main(): Promise<void> {
  const mode = flag('mode');
  if (mode === 'pingpong') {
    process.stdout.write(`${JSON.stringify(await pingpong())}\n`);
    return;
  }
  const t = target();
  if (mode === 'hold') return hold(t);
  const run = { bulk, connrate }[mode as 'bulk' | 'connrate'];
  if (!run) throw new Error(`--mode must be bulk, pingpong, connrate or hold, not ${mode}`);
  process.stdout.write(`${JSON.stringify(await run(t))}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load-client: ${(err as Error).message}\n`);
  process.exit(1);
});
