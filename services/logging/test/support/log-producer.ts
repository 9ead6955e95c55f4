import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger, RedisLogSink } from '@pa-connector/logger';
import { RedisKeys } from '@pa-connector/redis-contracts';
import { createRedis, type Redis } from '@pa-connector/service-runtime';

const quiet = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

/**
 * Logs through the real logger and Redis transport as `service` would, from the test process,
 * so the test knows exactly which lines were sent: each carries `run` and a sequence `n`.
 */
export class LogProducer {
  readonly logger: Logger;
  readonly sink: RedisLogSink;
  readonly redis: Redis;
  sent = 0;

  constructor(
    readonly service: string,
    o: { url: string; prefix: string; bufferLines?: number },
  ) {
    const quietLog = createLogger({ service, destination: quiet() });
    // The client every service ships its lines through, deadlines included.
    this.redis = createRedis({ redisUrl: new URL(o.url) }, quietLog);
    this.sink = new RedisLogSink({ service, maxBufferLines: o.bufferLines ?? 1_000_000 });
    const keys = new RedisKeys(o.prefix);
    this.sink.attach(this.redis, keys.logs(), (id) => keys.logProducer(id));
    this.logger = createLogger({ service, destination: quiet(), logStream: this.sink });
  }

  /** `count` lines tagged `run`, numbered from where the last call stopped; waits until shipped. */
  async produce(run: string, count: number, chunk = 500): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.logger.info({ run, n: this.sent++ }, `line ${this.sent - 1} of ${this.service}`);
      if ((i + 1) % chunk === 0) await this.sink.flush(30_000);
    }
    if (!(await this.sink.flush(30_000))) throw new Error(`${this.service}: lines not shipped`);
  }

  /** One line per level given, in that order, tagged `run` and numbered; waits until shipped. */
  async logLevels(run: string, levels: readonly ('info' | 'warn' | 'error')[]): Promise<void> {
    for (const level of levels) {
      this.logger[level]({ run, n: this.sent++ }, `${level} line ${this.sent - 1}`);
    }
    if (!(await this.sink.flush(30_000))) throw new Error(`${this.service}: lines not shipped`);
  }

  async close(): Promise<void> {
    await this.sink.close();
    this.redis.disconnect();
  }
}

/** Every line of every file (active and rotated) of `service` in `dir`, parsed. */
export function readServiceLines(dir: string, service: string): Array<Record<string, unknown>> {
  const names = readdirSync(dir)
    .filter((n) => n === `${service}.log` || n.startsWith(`${service}.log.`))
    .sort((a, b) =>
      a === `${service}.log` ? 1 : b === `${service}.log` ? -1 : a.localeCompare(b),
    );
  return names.flatMap((n) =>
    readFileSync(join(dir, n), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );
}

/** The `n` of each line of `run`, in file order. */
export function runNumbers(dir: string, service: string, run: string): number[] {
  return readServiceLines(dir, service)
    .filter((l) => l.run === run)
    .map((l) => Number(l.n));
}

/** A metric's value from Prometheus text (labels as written, e.g. `{reason="buffer_full"}`). */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
