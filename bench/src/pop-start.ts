#!/usr/bin/env node
import { rmSync } from 'node:fs';
import { writeSecretFile } from '@pa-connector/config';
import { SIDE_SERVICES, type Stack, startStack } from '@pa-connector/e2e/dist/stack';
import { positiveInteger } from './cli-args';
import { median, round } from './data-path/percentiles';
import { idleMemory } from './pop-start/service-memory';
import { type StartSplit, timeStart } from './pop-start/start-timer';
/**
 * A POP starting and idling, figures only, on the native e2e stack (one POP: the emulator and its
 * two openvpn gateways, the POP's Redis, the connector in its namespace enrolling with a
 * provisioning key, then logging, update and pop-manager).
 *
 * Cold start: from the spawn of the connector process to enrolled with both tunnels up, read from
 * its /ready every 20 ms, with the split (listening, enrolled, first tunnel, both). Round 1 is the
 * stack's own start; every further round stops the connector, empties its data directory and
 * gives it a fresh one-use key, so each round enrolls from nothing. Median and max of `--rounds`.
 *
 * Idle memory: once both tunnels have been up `--idle-seconds` (health checks, heartbeats, the
 * catalog poll and pop-manager's status reports have run many times), VmRSS of each service from
 * /proc/<pid>/status and its heap used from its /metrics, the max of 5 readings 5 s apart.
 *
 * Targets are printed beside the figures, never asserted. Needs root, openvpn, redis-server and a
 * built tree (`pnpm build`).
 *
 *   pnpm exec tsc -b bench && node bench/dist/pop-start.js [--rounds 3] [--idle-seconds 60]
 */
import { printFigures } from './print-figures';

export interface PopStartOptions {
  rounds?: number;
  idleSeconds?: number;
}

type Figures = Record<string, number | string>;

const COLD_START_TARGET_S = 10;
const RSS_IDLE_TARGET_MB = 60;
const READINGS = 5;
const READING_EVERY_MS = 5_000;
/** Per start: far above the target, so a slow start still gives a figure. */
const START_TIMEOUT_MS = 90_000;

const verdict = (met: boolean, what: string) => `${met ? 'met' : 'missed'}: ${what}`;

/**
 * Round 1: the stack's own start, timed from the progress line the stack says right after it
 * spawned the connector (that line names the status URL).
 */
async function startTimed(
  say: (line: string) => void,
): Promise<{ stack: Stack; split: StartSplit; bothUpAt: number }> {
  let timing: Promise<StartSplit> | undefined;
  let spawnedAt = 0;
  const stack = await startStack({
    services: SIDE_SERVICES,
    progress: (line) => {
      say(line);
      const m = /^connector: started in \S+, status on (\S+)$/.exec(line);
      if (m && !timing) {
        spawnedAt = performance.now();
        timing = timeStart(m[1] as string, () => spawnedAt, { timeoutMs: START_TIMEOUT_MS });
        // startStack fails on its own when the start does; this one is then not awaited.
        timing.catch(() => undefined);
      }
    },
  });
  if (!timing) {
    await stack.stop();
    throw new Error('pop-start: the stack never said it started the connector');
  }
  const split = await timing;
  return { stack, split, bothUpAt: spawnedAt + split.both_s * 1000 };
}

/**
 * A later round: the connector stopped, its data directory emptied, a fresh one-use key in its
 * key file, then started again by the stack (which also waits for it); the spawn is the moment
 * the stack's connector process changes.
 */
async function restartFromNothing(stack: Stack): Promise<StartSplit> {
  const c = stack.connector;
  await c.process.stop(90_000);
  rmSync(c.dataDir, { recursive: true, force: true });
  const key = await stack.admin<{ key: string }>('POST', `/admin/groups/${stack.groupId}/keys`, {
    maxUses: 1,
  });
  const keyFile = stack.connectorEnv.PA_PROVISIONING_KEY_FILE as string;
  await writeSecretFile(keyFile, `${key.key}\n`);
  const old = c.process;
  let spawnedAt: number | undefined;
  const watch = setInterval(() => {
    if (spawnedAt === undefined && c.process !== old) spawnedAt = performance.now();
  }, 1);
  try {
    const restarted = stack.restartConnector();
    restarted.catch(() => undefined);
    const split = await timeStart(c.url, () => spawnedAt, {
      timeoutMs: START_TIMEOUT_MS,
      alive: () => c.process === old || c.process.running(),
    });
    await restarted;
    return split;
  } finally {
    clearInterval(watch);
  }
}

export async function runPopStartBench(o: PopStartOptions = {}): Promise<Figures> {
  const rounds = o.rounds ?? 3;
  const idleMs = (o.idleSeconds ?? 60) * 1000;
  const say = (line: string) => process.stderr.write(`pop-start: ${line}\n`);
  const { stack, split: first, bothUpAt } = await startTimed(say);
  try {
    const wait = bothUpAt + idleMs - performance.now();
    say(`idle: ${Math.round(Math.max(0, wait) / 1000)} s more, then ${READINGS} readings`);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const targets = {
      connector: { pid: () => stack.connector.process.pid, url: stack.connector.url },
      ...Object.fromEntries(
        Object.values(stack.services).map((s) => [
          s.name,
          { pid: () => s.process.pid, url: s.url },
        ]),
      ),
    };
    const memory = await idleMemory(targets, READINGS, READING_EVERY_MS);

    const splits = [first];
    const told = (s: StartSplit) =>
      say(
        `round ${splits.length}: listening ${s.listening_s} s, enrolled ${s.enrolled_s} s, tunnel 1 ${s.tunnel1_s} s, both ${s.both_s} s`,
      );
    told(first);
    for (let i = 2; i <= rounds; i++) {
      say(`cold start round ${i}: connector stopped, data directory emptied, fresh key`);
      splits.push(await restartFromNothing(stack));
      told(splits[splits.length - 1] as StartSplit);
    }
    const figures: Figures = {};
    const both = splits.map((s) => s.both_s);
    figures.cold_start_s = round(median(both));
    figures.cold_start_max_s = round(Math.max(...both));
    figures.cold_start_target = verdict(
      figures.cold_start_s <= COLD_START_TARGET_S,
      `<= ${COLD_START_TARGET_S} s`,
    );
    for (const k of ['listening_s', 'enrolled_s', 'tunnel1_s'] as const) {
      figures[`cold_start_${k}`] = round(median(splits.map((s) => s[k])));
    }
    figures.cold_start_rounds = rounds;
    for (const [name, m] of Object.entries(memory)) {
      figures[`rss_idle_mb_${name}`] = m.rssMb;
      figures[`rss_idle_target_${name}`] = verdict(
        m.rssMb <= RSS_IDLE_TARGET_MB,
        `<= ${RSS_IDLE_TARGET_MB} MB`,
      );
      figures[`rss_anon_idle_mb_${name}`] = m.anonMb;
      if (m.heapUsedMb !== undefined) figures[`heap_used_mb_${name}`] = m.heapUsedMb;
    }
    return figures;
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  void printFigures('pop-start', () =>
    runPopStartBench({
      rounds: positiveInteger('rounds', 3),
      idleSeconds: positiveInteger('idle-seconds', 60),
    }),
  );
}
