import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LogStreamEntry } from '@pa-connector/logger';
import { FakeClock } from '@pa-connector/test-support';
import { LogStore } from '../../../src/files/log-store';
import { listLogFiles, planRetention } from '../../../src/files/retention';

const DAY = 86_400_000;
const DAYS = 365;
/** A small steady stream: this many lines a day, each of the same length. */
const LINES_PER_DAY = 8;
const RETENTION = { keepFiles: 1_000, maxAgeMs: 30 * DAY, maxTotalBytes: 1e9 };

/** The heap after a full collection (gc() made reachable at run time). */
function heapUsed(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

describe('the log store over a virtual year', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pa-log-year-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates daily and keeps what 30-day retention implies, with heap and descriptors flat', async () => {
    const wallStart = Date.now();
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00Z'));
    const start = clock.now();
    const entry = (day: number, i: number): LogStreamEntry => ({
      // Same length every day: 13-digit milliseconds, a one-digit sequence.
      id: `${start + day * DAY}-${i}`,
      service: 'connector',
      line: `{"level":"info","msg":"day ${String(day).padStart(3, '0')} line ${i}"}`,
    });
    const lineBytes = (e: LogStreamEntry) =>
      Buffer.byteLength(`{"logId":"${e.id}",${e.line.slice(1)}`) + 1;
    const rotated: string[] = [];
    const deleted: Array<{ file: string; reason: string }> = [];
    const store = new LogStore({
      dir,
      retention: RETENTION,
      now: () => clock.now(),
      onRotated: (_s, file) => rotated.push(file),
      onDeleted: (file, reason) => deleted.push({ file, reason }),
      onRetentionError: (err) => {
        throw err;
      },
      // One day's lines fill a file exactly: the next day's first line rotates it.
      maxFileBytes: LINES_PER_DAY * lineBytes(entry(0, 0)),
    });

    const fds = () => readdir('/proc/self/fd').then((l) => l.length);
    const samples: Array<{ heap: number; fds: number }> = [];
    for (let day = 0; day < DAYS; day++) {
      if (day > 0) await clock.advance(DAY);
      await store.writeBatch(Array.from({ length: LINES_PER_DAY }, (_, i) => entry(day, i)));
      // As the service does besides after each rotation (there every minute; daily is enough
      // here, as the age limit is in days).
      await store.enforceRetention();
      if (day % 30 === 0) samples.push({ heap: heapUsed(), fds: await fds() });
    }
    const now = clock.now();
    expect(now - start).toBe((DAYS - 1) * DAY);

    // Day 0 fills the first file; every later day rotates the day before's file first.
    expect(rotated).toHaveLength(DAYS - 1);
    // The file rotated on day d is dated d. Kept: those not older than 30 days at the last day,
    // i.e. rotated on days 334..364 (age exactly 30 days is still kept): 31, and the active one.
    const lastDay = DAYS - 1;
    const keptRotations = lastDay - (lastDay - 30) + 1;
    const files = await listLogFiles(dir);
    expect(files.filter((f) => f.kind === 'rotated')).toHaveLength(keptRotations);
    expect(files.filter((f) => f.kind === 'active')).toHaveLength(1);
    // The plan agrees: nothing more to delete now, and the next day's run takes the oldest.
    expect(planRetention(files, RETENTION, now)).toEqual([]);
    expect(planRetention(files, RETENTION, now + DAY)).toHaveLength(1);
    expect(deleted).toHaveLength(DAYS - 1 - keptRotations);
    expect(new Set(deleted.map((d) => d.reason))).toEqual(new Set(['age']));

    // Flat: open descriptors the same every month, the heap within a small bound.
    const first = samples[0] as (typeof samples)[number];
    for (const s of samples) expect(s.fds).toBe(first.fds);
    const heaps = samples.map((s) => s.heap);
    expect(Math.max(...heaps) - (heaps[0] as number)).toBeLessThan(4 * 1024 * 1024);
    await store.close();
    process.stdout.write(
      `a virtual year of logs: ${Date.now() - wallStart} ms; rotations ${rotated.length}, deleted ${
        deleted.length
      }, rotated files kept ${keptRotations}, heap MB ${heaps
        .map((h) => (h / 1048576).toFixed(1))
        .join(' ')}\n`,
    );
  }, 120_000);
});
