#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '@pa-connector/config';
import { RedisKeys } from '@pa-connector/redis-contracts';
import { type ServiceProcess, startRedis, startServiceProcess } from '@pa-connector/test-support';
import Redis from 'ioredis';
/**
 * Log pipeline, end to end: producer processes log through the real logger + Redis transport,
 * a real redis-server holds the stream, the built logging service writes the files. Halfway
 * through, the logging service is stopped (SIGTERM, or SIGKILL with `--restart kill`) and
 * started again on the same Redis and directory. Prints lines per second from the first line
 * logged to the last line durable in its file (the downtime included), and checks that every
 * line is in its file exactly once. Figures only, no assertions.
 *
 *   pnpm exec tsc -b bench services/logging && node bench/dist/log-pipeline.js \
 *     [--lines 80000] [--producers 1] [--batch 1000] [--restart term|kill|none] \
 *     [--cpu-prof <dir>] [--check-duplicates]
 *
 * `--cpu-prof <dir>` writes a V8 CPU profile of each logging process into `<dir>` (a process
 * ended by SIGKILL writes none). `--check-duplicates` writes one line a second time while logging
 * is down, as a check that the run counts it (it must print duplicates: 1). `pnpm bench` runs
 * it through run.ts with the defaults.
 */
import { option, positiveInteger } from './cli-args';
// Loading it here profiles nothing: it acts only where its variable is set, the logging service.
import { cpuProfilerEnv } from './cpu-profiler-env';

const SERVICES = ['connector', 'update', 'pop-manager'];

/** Met when every line reaches its file at this rate or more, across the restart. */
const END_TO_END_TARGET = 50_000;

export type LoggingRestart = 'term' | 'kill' | 'none';

export interface LogPipelineOptions {
  /** Lines per service (three services log). */
  lines?: number;
  producers?: number;
  /** Entries the logging service reads per batch. */
  batch?: number;
  /** How the logging service is stopped halfway (default SIGTERM); `none` keeps it running. */
  restart?: LoggingRestart;
  /** A directory for V8 CPU profiles of the logging processes. */
  cpuProfDir?: string;
  /** While logging is down, writes one line a second time: the run must count 1 duplicate. */
  checkDuplicates?: boolean;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

function runLines(dir: string, service: string, run: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(dir)) {
    if (name !== `${service}.log` && !name.startsWith(`${service}.log.`)) continue;
    for (const l of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!l.includes(run)) continue;
      const v = JSON.parse(l) as { run?: string; n?: number };
      if (v.run === run && typeof v.n === 'number') out.push(v.n);
    }
  }
  return out;
}

/** Lines in a service's files (only the bench's producers log as these services): a newline count. */
function lineCount(dir: string, service: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    if (name !== `${service}.log` && !name.startsWith(`${service}.log.`)) continue;
    const buf = readFileSync(join(dir, name));
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
  }
  return n;
}

/**
 * A check of the duplicate count: the last line of a service's files written once more at the
 * end of its file, as a consumer that wrote a line twice across the restart would leave it. The
 * last one, so the restarted service's idea of where the file ends does not move.
 */
function writeLastLineAgain(dir: string, service: string): void {
  const names = readdirSync(dir)
    .filter((n) => n.startsWith(`${service}.log.`))
    .sort();
  for (const name of [`${service}.log`, ...names.reverse()]) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    const last = lines.at(-2);
    if (last) {
      appendFileSync(join(dir, `${service}.log`), `${last}\n`);
      return;
    }
  }
}

/** The consumer group's lag read from Redis itself, so it is known while logging is down. */
async function groupLag(redis: Redis, key: string): Promise<number> {
  const groups = (await redis.xinfo('GROUPS', key).catch(() => [])) as unknown[][];
  for (const g of groups) {
    const i = g.indexOf('lag');
    if (g[g.indexOf('name') + 1] === 'logging' && i >= 0) return Number(g[i + 1] ?? 0);
  }
  return 0;
}

export async function runLogPipelineBench(
  o: LogPipelineOptions = {},
): Promise<Record<string, number | string | boolean>> {
  const perService = o.lines ?? 80_000;
  const producerCount = Math.min(o.producers ?? 1, SERVICES.length);
  const batch = o.batch ?? 1_000;
  const restart = o.restart ?? 'term';
  const total = perService * SERVICES.length;
  const run = `bench-${process.pid}`;
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-logs-'));
  const client = new Redis(redis.url);
  let logging: ServiceProcess | undefined;
  const cleanup: Array<() => Promise<void>> = [
    async () => {
      await logging?.stop();
    },
    async () => client.disconnect(),
    async () => rmSync(dir, { recursive: true, force: true }),
    () => redis.stop(),
  ];
  const startLogging = async () => {
    const p = await startServiceProcess({
      service: 'logging',
      env: {
        PA_REDIS_URL: redis.url,
        PA_REDIS_PREFIX: redis.prefix,
        PA_LOG_DIR: dir,
        PA_LOG_READ_BATCH: String(batch),
        // Every writer of the stream trims it with its own MAXLEN: the same bound as the producers.
        PA_LOG_STREAM_MAXLEN: '2000000',
        PA_LOG_MAX_TOTAL_SIZE: '10GiB',
        PA_LOG_KEEP_FILES: '1000',
        ...cpuProfilerEnv(o.cpuProfDir, 'logging'),
      },
      // Built once, before the clock starts.
      built: logging !== undefined,
    });
    logging = p;
    await p.waitForStatus('/ready', 200);
    return p;
  };
  try {
    let current = await startLogging();
    const streamKey = new RedisKeys(redis.prefix).logs();
    // Lines durable before the restart (counted in the files while logging was down), plus
    // what the running process has written: its counters start at zero.
    let before = 0;
    const written = async () => {
      const m = (await current.get('/metrics')).body;
      return {
        lines:
          before +
          SERVICES.reduce(
            (s, svc) => s + metric(m, `pa_logging_written_lines_total{service="${svc}"}`),
            0,
          ),
        batchCount: metric(m, 'pa_logging_batch_write_seconds_count'),
        batchSum: metric(m, 'pa_logging_batch_write_seconds_sum'),
        rotations: SERVICES.reduce(
          (s, svc) => s + metric(m, `pa_logging_rotated_files_total{service="${svc}"}`),
          0,
        ),
        duplicatesSkipped: metric(m, 'pa_logging_duplicate_entries_total'),
      };
    };

    // Producers split the services between them.
    const groups = Array.from({ length: producerCount }, (_, i) =>
      SERVICES.filter((_, j) => j % producerCount === i),
    );
    const script = join(__dirname, 'log-pipeline-producer.js');
    const started = process.hrtime.bigint();
    const producers = groups.map(
      (g) =>
        new Promise<{ seconds: number; sent: number; dropped: number }>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [script, redis.url, redis.prefix, g.join(','), String(perService), run],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let out = '';
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
          });
          child.on('exit', (code) =>
            code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`producer exited ${code}`)),
          );
        }),
    );
    let maxLag = 0;
    const producing = Promise.all(producers);
    producing.catch(() => undefined);
    let last = await written();
    // The first process's batch figures, added to the second's at the end.
    let earlier = { batchCount: 0, batchSum: 0, rotations: 0, duplicatesSkipped: 0 };
    let restartAtLine = 0;
    let restartSeconds = 0;
    let progressAt = Date.now();
    // Until every line is durable, or nothing moved for 30 s (then the loss check says what is missing).
    while (last.lines < total && Date.now() - progressAt < 30_000) {
      // Not too often: every scrape of /metrics costs the service under test some CPU.
      await new Promise((r) => setTimeout(r, 50));
      if (restart !== 'none' && restartAtLine === 0 && last.lines >= total / 2) {
        const down = process.hrtime.bigint();
        restartAtLine = last.lines;
        earlier = await written();
        if (restart === 'kill') {
          current.process.child.kill('SIGKILL');
          await current.process.exited;
        } else {
          await current.stop();
        }
        logging = undefined;
        const lagWhileDown = await groupLag(client, streamKey);
        maxLag = Math.max(maxLag, lagWhileDown);
        before = SERVICES.reduce((s, svc) => s + lineCount(dir, svc), 0);
        if (o.checkDuplicates) writeLastLineAgain(dir, SERVICES[0] as string);
        current = await startLogging();
        restartSeconds = Number(process.hrtime.bigint() - down) / 1e9;
      }
      const now = await written();
      if (now.lines > last.lines) progressAt = Date.now();
      last = now;
      maxLag = Math.max(maxLag, await groupLag(client, streamKey));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const produced = await producing;

    let missing = 0;
    let duplicates = 0;
    for (const svc of SERVICES) {
      const ns = runLines(dir, svc, run);
      const unique = new Set(ns);
      duplicates += ns.length - unique.size;
      for (let n = 0; n < perService; n++) if (!unique.has(n)) missing++;
    }
    const producerSeconds = Math.max(...produced.map((p) => p.seconds));
    const dropped = produced.reduce((s, p) => s + p.dropped, 0);
    const batches = earlier.batchCount + last.batchCount;
    const endToEnd = Math.round(total / seconds);
    const figures = {
      bench: 'log-pipeline',
      lines: total,
      services: SERVICES.length,
      producers: producerCount,
      readBatch: batch,
      restart,
      restartAtLine,
      restartSeconds: Number(restartSeconds.toFixed(3)),
      endToEndSeconds: Number(seconds.toFixed(3)),
      endToEndLinesPerSecond: endToEnd,
      end_to_end_target: endToEnd >= END_TO_END_TARGET ? 'met' : 'missed',
      producerLinesPerSecond: Math.round(total / producerSeconds),
      maxLagEntries: maxLag,
      batches,
      meanBatchWriteMs: Number(
        (((earlier.batchSum + last.batchSum) / Math.max(1, batches)) * 1000).toFixed(2),
      ),
      rotations: earlier.rotations + last.rotations,
      redeliveredSkipped: earlier.duplicatesSkipped + last.duplicatesSkipped,
      droppedAtProducers: dropped,
      missing,
      duplicates,
      zeroLoss: missing === 0 && duplicates === 0 && dropped === 0,
    };
    return figures;
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}

function restartOption(): LoggingRestart {
  const v = option('restart');
  if (v === undefined) return 'term';
  if (v === 'term' || v === 'kill' || v === 'none') return v;
  throw new Error('--restart must be term, kill or none');
}

if (require.main === module) {
  const prof = option('cpu-prof');
  runLogPipelineBench({
    lines: positiveInteger('lines', 80_000),
    producers: positiveInteger('producers', 1),
    batch: positiveInteger('batch', 1_000),
    restart: restartOption(),
    ...(typeof prof === 'string' ? { cpuProfDir: prof } : {}),
    checkDuplicates: option('check-duplicates') === true,
  }).then(
    (figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`),
    (err) => {
      process.stderr.write(
        `log-pipeline bench failed: ${err instanceof Error ? err.stack : err}\n`,
      );
      process.exit(ExitCode.failed);
    },
  );
}
