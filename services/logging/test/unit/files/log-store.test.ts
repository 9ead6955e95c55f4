import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogStreamEntry } from '@pa-connector/logger';
import { LogStore, type WrittenLine } from '../../../src/files/log-store';

const policy = { keepFiles: 5, maxAgeMs: 86_400_000, maxTotalBytes: 1e9 };
const entry = (id: string, service: string, msg = 'm'): LogStreamEntry => ({
  id,
  service,
  line: `{"service":"${service}","msg":"${msg}"}`,
});
const lines = (dir: string, service: string) =>
  readFileSync(join(dir, `${service}.log`), 'utf8')
    .split('\n')
    .filter(Boolean);

describe('LogStore', () => {
  it('writes each service to its own file with logId first, in stream order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-store-'));
    const published: WrittenLine[] = [];
    const store = new LogStore({
      dir,
      maxFileBytes: 1e6,
      retention: policy,
      onWritten: (l) => published.push(...l),
    });
    const r = await store.writeBatch([
      entry('1-0', 'update', 'a'),
      entry('1-1', 'connector', 'b'),
      entry('1-2', 'update', 'c'),
    ]);
    expect(Object.fromEntries(r.written)).toEqual({
      update: { lines: 2, bytes: expect.any(Number) },
      connector: { lines: 1, bytes: expect.any(Number) },
    });
    expect(lines(dir, 'update').map((l) => JSON.parse(l))).toEqual([
      { logId: '1-0', service: 'update', msg: 'a' },
      { logId: '1-2', service: 'update', msg: 'c' },
    ]);
    expect(published.map((p) => p.service)).toEqual(['update', 'connector', 'update']);
    await store.close();
  });

  it('skips entries already in the file, also across a restart (no duplicates after a crash)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-store-'));
    const first = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    await first.writeBatch([entry('1-0', 'a'), entry('1-1', 'b'), entry('1-2', 'a')]);
    await first.close();
    // The same entries come again (written, but not acknowledged before a crash), plus new ones.
    const second = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    const r = await second.writeBatch([
      entry('1-0', 'a'),
      entry('1-1', 'b'),
      entry('1-2', 'a'),
      entry('1-3', 'b'),
      entry('1-4', 'a'),
    ]);
    expect(r.duplicates).toBe(3);
    expect(lines(dir, 'a').map((l) => JSON.parse(l).logId)).toEqual(['1-0', '1-2', '1-4']);
    expect(lines(dir, 'b').map((l) => JSON.parse(l).logId)).toEqual(['1-1', '1-3']);
    await second.close();
  });

  it('rejects entries whose service is no file name or whose line is no JSON object', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-store-'));
    const store = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    const r = await store.writeBatch([
      { id: '1-0', service: '../etc', line: '{}' },
      { id: '1-1', service: 'Big', line: '{}' },
      { id: '1-2', service: 'ok', line: 'plain text' },
      { id: '1-3', service: 'ok', line: '{"fine":true}' },
    ]);
    expect(r.rejected).toEqual([
      { id: '1-0', reason: 'bad_service' },
      { id: '1-1', reason: 'bad_service' },
      { id: '1-2', reason: 'bad_line' },
    ]);
    expect(lines(dir, 'ok')).toEqual(['{"logId":"1-3","fine":true}']);
    await store.close();
  });

  it('fails the whole batch when a file cannot be written, and writes it after recovery', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-store-'));
    // A directory where update.log should be: appending to it fails.
    const { mkdirSync, rmdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'update.log'));
    const store = new LogStore({ dir, maxFileBytes: 1e6, retention: policy });
    const batch = [entry('1-0', 'connector'), entry('1-1', 'update')];
    await expect(store.writeBatch(batch)).rejects.toThrow();
    rmdirSync(join(dir, 'update.log'));
    const r = await store.writeBatch(batch);
    expect(r.duplicates).toBe(1);
    expect(lines(dir, 'connector')).toHaveLength(1);
    expect(lines(dir, 'update')).toHaveLength(1);
    await store.close();
  });

  it('runs retention after a rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-store-'));
    writeFileSync(join(dir, 'x.log.000001'), '{"logId":"0-1"}\n');
    const deleted: string[] = [];
    const store = new LogStore({
      dir,
      maxFileBytes: 60,
      retention: { ...policy, keepFiles: 1 },
      onDeleted: (f, reason) => deleted.push(`${f}:${reason}`),
    });
    for (let i = 0; i < 4; i++) await store.writeBatch([entry(`2-${i}`, 'x', 'y'.repeat(20))]);
    await store.enforceRetention();
    expect(deleted).toEqual(['x.log.000001:count', 'x.log.000002:count', 'x.log.000003:count']);
    await store.close();
  });
});
