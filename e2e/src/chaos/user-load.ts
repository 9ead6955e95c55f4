import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectThrough, type Stack } from '../stack';
import { CarriedRequestError } from '../stack/ingress-client';
import type { Outcome } from './outcome';
import { firstMismatch, patternChunk } from './pattern';

export interface UserLoadOptions {
  /** Loops sending short requests one after the other (default 2). */
  shortLoops?: number;
  /** Pause between two short requests of a loop (default 100 ms). */
  pauseMs?: number;
  /** Loops running long echo streams one after the other (default 2). */
  streamLoops?: number;
  /** How long a stream sends (default 4 s). */
  streamSeconds?: number;
  /** A chunk every this many ms (default 50). */
  chunkEveryMs?: number;
  chunkBytes?: number;
  /** A stream that receives nothing for this long is failed (default 15 s). */
  stallMs?: number;
}

export interface UserLoad {
  /** Every outcome so far (the array grows while the load runs). */
  readonly outcomes: readonly Outcome[];
  /** Ends the loops, waits for the requests in flight, resolves with every outcome. */
  stop(): Promise<Outcome[]>;
}

/**
 * Steady users through the gateway user ingress: short `GET /` requests and long `POST /echo`
 * streams of a seeded pattern whose echo is checked byte by byte, in order.
 */
export function startUserLoad(stack: Stack, now: () => number, o: UserLoadOptions = {}): UserLoad {
  const outcomes: Outcome[] = [];
  let running = true;
  let seed = 1;
  const shortLoop = async () => {
    while (running) {
      const startMs = now();
      try {
        const a = await stack.request('/');
        const ok =
          a.connectStatus === 200 && a.status === 200 && !!a.body?.startsWith('hello from');
        outcomes.push({
          kind: 'short',
          startMs,
          endMs: now(),
          ok,
          ...(a.gateway !== undefined ? { gateway: a.gateway } : {}),
          ...(ok
            ? {}
            : { why: `CONNECT ${a.connectStatus} ${a.refusal ?? ''} status ${a.status ?? '-'}` }),
        });
      } catch (err) {
        outcomes.push({
          kind: 'short',
          startMs,
          endMs: now(),
          ok: false,
          ...(err instanceof CarriedRequestError && err.gateway !== undefined
            ? { gateway: err.gateway }
            : {}),
          why: (err as Error).message,
        });
      }
      await sleep(o.pauseMs ?? 100);
    }
  };
  const streamLoop = async () => {
    while (running) {
      const s = seed++;
      outcomes.push(await echoStream(stack, s, now, o));
      await sleep(o.pauseMs ?? 100);
    }
  };
  const loops = [
    ...Array.from({ length: o.shortLoops ?? 2 }, shortLoop),
    ...Array.from({ length: o.streamLoops ?? 2 }, streamLoop),
  ];
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

/** One echo stream through the ingress: sends the pattern of `seed`, checks what comes back. */
async function echoStream(
  stack: Stack,
  seed: number,
  now: () => number,
  o: UserLoadOptions,
): Promise<Outcome> {
  const startMs = now();
  const ingress = new URL(stack.emulator.ingressUrl);
  const app = stack.apps.web;
  const chunkBytes = o.chunkBytes ?? 1024;
  const chunks = Math.round(((o.streamSeconds ?? 4) * 1000) / (o.chunkEveryMs ?? 50));
  const total = chunks * chunkBytes;
  let sent = 0;
  let received = 0;
  let alteredAt: number | undefined;
  let gateway: string | undefined;
  let lastProgressMs: number | undefined;
  const result = (ok: boolean, why?: string): Outcome => ({
    kind: 'stream',
    startMs,
    endMs: now(),
    ok,
    ...(gateway !== undefined ? { gateway } : {}),
    sent,
    received,
    ...(why ? { why } : {}),
    ...(alteredAt !== undefined ? { alteredAt } : {}),
    ...(lastProgressMs !== undefined ? { lastProgressMs } : {}),
  });
  let c: Awaited<ReturnType<typeof connectThrough>>;
  try {
    c = await connectThrough(ingress.hostname, stack.emulator.ingressPort, app.address);
  } catch (err) {
    return result(false, (err as Error).message);
  }
  gateway = c.gateway;
  if (c.status !== 200) {
    c.socket.destroy();
    return result(false, `CONNECT ${c.text}`);
  }
  const socket = c.socket;
  lastProgressMs = now();
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    let stall: NodeJS.Timeout | undefined;
    const finish = (ok: boolean, why?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(stall);
      socket.destroy();
      resolve(result(ok, why));
    };
    const armStall = () => {
      clearTimeout(stall);
      stall = setTimeout(
        () => finish(false, `nothing received for ${o.stallMs ?? 15_000} ms`),
        o.stallMs ?? 15_000,
      );
    };
    armStall();
    const req = httpRequest(
      {
        host: app.host,
        path: '/echo',
        method: 'POST',
        createConnection: () => socket,
        headers: { connection: 'close', 'content-type': 'application/octet-stream' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          finish(false, `echo answered ${res.statusCode}`);
          return;
        }
        res.on('data', (chunk: Buffer) => {
          armStall();
          lastProgressMs = now();
          const bad = firstMismatch(seed, received, chunk);
          if (bad >= 0 && alteredAt === undefined) alteredAt = bad;
          received += chunk.length;
        });
        res.on('end', () => {
          if (alteredAt !== undefined) finish(false, `byte ${alteredAt} altered`);
          else if (received !== total) finish(false, `${received} of ${total} bytes came back`);
          else finish(true);
        });
        res.on('error', (err) => finish(false, err.message));
      },
    );
    req.on('error', (err) => finish(false, err.message));
    req.on('socket', (s) => s.resume());
    const send = async () => {
      for (let i = 0; i < chunks && !settled; i++) {
        req.write(patternChunk(seed, sent, chunkBytes));
        sent += chunkBytes;
        await sleep(o.chunkEveryMs ?? 50);
      }
      if (!settled) req.end();
    };
    void send();
  });
}
