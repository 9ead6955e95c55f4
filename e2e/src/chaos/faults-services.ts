import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getJson, type Stack, waitUntil } from '../stack';
import type { Fault } from './fault';

/** Until every side service answers /ready 200 again (a fault is over only then). */
async function servicesReady(stack: Stack, ms = 60_000): Promise<void> {
  for (const s of Object.values(stack.services)) {
    await waitUntil(
      `${s.name} /ready 200`,
      async () => ((await getJson(`${s.url}/ready`)).status === 200 ? true : undefined),
      ms,
    );
  }
}

/** Writes zeros to `file` until the file system is full; the bytes written. */
function fill(file: string): number {
  const chunk = Buffer.alloc(256 * 1024);
  const fd = openSync(file, 'w', 0o600);
  let bytes = 0;
  try {
    for (;;) {
      try {
        bytes += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return bytes;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Redis restarted and hung, the logging service killed, the log directory full. */
export const SERVICE_FAULTS: readonly Fault[] = [
  {
    name: 'Redis restarted',
    async run({ stack }) {
      await stack.restartRedis();
      await servicesReady(stack);
    },
  },
  {
    name: 'Redis hangs (relay paused 10 s)',
    async run({ stack }) {
      const relay = stack.redisRelay;
      if (!relay) throw new Error('the stack runs without Redis relays (option redisRelay)');
      relay.pause();
      try {
        await sleep(10_000);
      } finally {
        relay.resume();
      }
      await servicesReady(stack);
    },
  },
  {
    name: 'logging SIGKILL while lines flow',
    restarts: 'logging',
    async run({ stack }) {
      // The other services keep logging (the load, health checks, heartbeats) meanwhile.
      await stack.restartService('logging', 'SIGKILL');
      await servicesReady(stack);
    },
  },
  {
    name: 'log directory full 15 s',
    async run({ stack }) {
      const filler = join(stack.logDir, 'filler');
      fill(filler);
      try {
        await sleep(15_000);
      } finally {
        rmSync(filler, { force: true });
      }
      await servicesReady(stack);
    },
  },
];
