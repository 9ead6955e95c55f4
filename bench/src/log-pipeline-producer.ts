#!/usr/bin/env node
import { Writable } from 'node:stream';
import { ExitCode } from '@pa-connector/config';
import { createLogger, type Logger, RedisLogSink } from '@pa-connector/logger';
import { RedisKeys } from '@pa-connector/redis-contracts';
import Redis from 'ioredis';
/**
 * One producer of the log-pipeline bench: logs through the real logger and Redis transport, as
 * the POP services do, `count` lines for each service named in `services`, then prints its
 * counters as one JSON line. Usage:
 *   node log-pipeline-producer.js <redis-url> <prefix> <services,comma,separated> <count> <run>
 */
import { positionals } from './cli-args';

async function main(): Promise<void> {
  const [url, prefix, names, countText, run, maxLenText] = positionals();
  if (!url || !prefix || !names || !countText || !run) {
    process.stderr.write(
      'usage: log-pipeline-producer <redis-url> <prefix> <services> <count> <run> [maxlen]\n',
    );
    process.exit(ExitCode.usage);
  }
  const count = Number(countText);
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  await redis.connect();
  // stdout carries the result; the lines' stdout copy goes nowhere, as in a container whose
  // output nobody reads.
  const nowhere = new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
  const producers: Array<{ sink: RedisLogSink; log: Logger }> = names.split(',').map((service) => {
    const sink = new RedisLogSink({
      service,
      maxBufferLines: 200_000,
      maxStreamLength: Number(maxLenText ?? 2_000_000),
    });
    const keys = new RedisKeys(prefix);
    sink.attach(redis, keys.logs(), (id) => keys.logProducer(id));
    return { sink, log: createLogger({ service, destination: nowhere, logStream: sink }) };
  });
  const started = process.hrtime.bigint();
  const chunk = 1_000;
  for (let n = 0; n < count; n += chunk) {
    for (const p of producers) {
      for (let i = n; i < Math.min(n + chunk, count); i++) {
        p.log.info(
          { run, n: i, component: 'bench', attempt: i % 7 },
          'a line of ordinary length for the bench',
        );
      }
    }
    // Keep a bounded backlog in memory: wait while Redis catches up.
    while (producers.some((p) => p.sink.stats().buffered > 50_000)) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  for (const p of producers) await p.sink.flush(60_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stats = producers.map((p) => p.sink.stats());
  process.stdout.write(
    `${JSON.stringify({
      seconds,
      sent: stats.reduce((s, x) => s + x.sentLines, 0),
      dropped: stats.reduce((s, x) => s + x.dropped.buffer_full + x.dropped.oversize, 0),
    })}\n`,
  );
  for (const p of producers) await p.sink.close();
  redis.disconnect();
}

void main();
