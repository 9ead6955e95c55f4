#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '@pa-connector/config';
import { startRedis, startServiceProcess } from '@pa-connector/test-support';
/**
 * Log pipeline, end to end: producer processes log through the real logger + Redis transport,
 * a real redis-server holds the stream, the built logging service writes the files. Prints
 * lines per second from the first line logged to the last line durable in its file, and checks
 * that every line is in its file exactly once. Figures only, no assertions.
 *
 *   pnpm exec tsc -b bench services/logging && node bench/dist/log-pipeline.js \
 *     [--lines 80000] [--producers 1] [--batch 1000]
 *
 * `pnpm bench` runs it through run.ts with the defaults.
 */
import { positiveInteger } from './cli-args';

const SERVICES = ['connector', 'update', 'pop-manager'];

export interface LogPipelineOptions {
  /** Lines per service (three services log). */
  lines?: number;
  producers?: number;
  /** Entries the logging service reads per batch. */
  batch?: number;
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

export async function runLogPipelineBench(
  o: LogPipelineOptions = {},
): Promise<Record<string, number | string | boolean>> {
  const perService = o.lines ?? 80_000;
  const producerCount = Math.min(o.producers ?? 1, SERVICES.length);
  const batch = o.batch ?? 1_000;
  const total = perService * SERVICES.length;
  const run = `bench-${process.pid}`;
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-logs-'));
  const cleanup: Array<() => Promise<void>> = [
    async () => rmSync(dir, { recursive: true, force: true }),
    () => redis.stop(),
  ];
  try {
    const logging = await startServiceProcess({
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
      },
    });
    cleanup.unshift(async () => {
      await logging.stop();
    });
    await logging.waitForStatus('/ready', 200);
    const written = async () => {
      const m = (await logging.get('/metrics')).body;
      return {
        lines: SERVICES.reduce(
          (s, svc) => s + metric(m, `pa_logging_written_lines_total{service="${svc}"}`),
          0,
        ),
        lag: metric(m, 'pa_logging_lag_entries'),
        batchCount: metric(m, 'pa_logging_batch_write_seconds_count'),
        batchSum: metric(m, 'pa_logging_batch_write_seconds_sum'),
        rotations: SERVICES.reduce(
          (s, svc) => s + metric(m, `pa_logging_rotated_files_total{service="${svc}"}`),
          0,
        ),
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
    let progressAt = Date.now();
    // Until every line is durable, or nothing moved for 30 s (then the loss check says what is missing).
    while (last.lines < total && Date.now() - progressAt < 30_000) {
      await new Promise((r) => setTimeout(r, 20));
      const now = await written();
      if (now.lines > last.lines) progressAt = Date.now();
      last = now;
      maxLag = Math.max(maxLag, last.lag);
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
    const figures = {
      bench: 'log-pipeline',
      lines: total,
      services: SERVICES.length,
      producers: producerCount,
      readBatch: batch,
      endToEndSeconds: Number(seconds.toFixed(3)),
      endToEndLinesPerSecond: Math.round(total / seconds),
      producerLinesPerSecond: Math.round(total / producerSeconds),
      maxLagEntries: maxLag,
      batches: last.batchCount,
      meanBatchWriteMs: Number(((last.batchSum / Math.max(1, last.batchCount)) * 1000).toFixed(2)),
      rotations: last.rotations,
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

if (require.main === module) {
  runLogPipelineBench({
    lines: positiveInteger('lines', 80_000),
    producers: positiveInteger('producers', 1),
    batch: positiveInteger('batch', 1_000),
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
