import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceLogFile } from '../../../src/files/service-log-file';
import { stampLine } from '../../../src/ingest/line-format';

const dir = () => mkdtempSync(join(tmpdir(), 'pa-logfile-'));
const line = (id: string, msg = 'x') => stampLine(id, `{"msg":"${msg}"}`);

describe('ServiceLogFile', () => {
  it('appends lines and learns the last id again when reopened', async () => {
    const d = dir();
    const f = new ServiceLogFile(d, 'update', { maxBytes: 1_000_000 });
    await f.append([line('1-0'), line('1-1')], '1-1');
    await f.sync();
    await f.close();
    const again = new ServiceLogFile(d, 'update', { maxBytes: 1_000_000 });
    await again.open();
    expect(again.lastId).toBe('1-1');
    expect(readFileSync(join(d, 'update.log'), 'utf8')).toBe(`${line('1-0')}\n${line('1-1')}\n`);
    await again.close();
  });

  it('cuts a partly written last line when it opens', async () => {
    const d = dir();
    writeFileSync(join(d, 'update.log'), `${line('5-0')}\n{"logId":"5-1","msg":"tor`);
    const f = new ServiceLogFile(d, 'update', { maxBytes: 1_000_000 });
    await f.open();
    expect(f.lastId).toBe('5-0');
    expect(readFileSync(join(d, 'update.log'), 'utf8')).toBe(`${line('5-0')}\n`);
    await f.append([line('5-1')], '5-1');
    await f.close();
    expect(readFileSync(join(d, 'update.log'), 'utf8')).toBe(`${line('5-0')}\n${line('5-1')}\n`);
  });

  it('treats a file that is one partial line as empty', async () => {
    const d = dir();
    writeFileSync(join(d, 'x.log'), '{"logId":"9-0","msg":"no newline');
    const f = new ServiceLogFile(d, 'x', { maxBytes: 1_000_000 });
    await f.open();
    expect(f.lastId).toBeUndefined();
    expect(f.size).toBe(0);
    await f.close();
  });

  it('finds the last line even when it is longer than one read chunk', async () => {
    const d = dir();
    const long = line('8-1', 'y'.repeat(200_000));
    writeFileSync(join(d, 'x.log'), `${line('8-0')}\n${long}\n`);
    const f = new ServiceLogFile(d, 'x', { maxBytes: 10_000_000 });
    await f.open();
    expect(f.lastId).toBe('8-1');
    await f.close();
  });

  it('rotates before a file passes its bound, numbering rotated files upwards', async () => {
    const d = dir();
    const rotated: string[] = [];
    const f = new ServiceLogFile(d, 'svc', { maxBytes: 100, onRotated: (p) => rotated.push(p) });
    const lines = Array.from({ length: 10 }, (_, i) => line(`1-${i}`, 'abcdefghij'));
    // each line is 38 bytes + newline: two fit in 100
    await f.append(lines, '1-9');
    await f.sync();
    await f.close();
    const names = readdirSync(d).sort();
    expect(names).toEqual([
      'svc.log',
      'svc.log.000001',
      'svc.log.000002',
      'svc.log.000003',
      'svc.log.000004',
    ]);
    expect(rotated).toHaveLength(4);
    const all = names
      .slice(1)
      .concat('svc.log')
      .flatMap((n) => readFileSync(join(d, n), 'utf8').split('\n').filter(Boolean));
    expect(all).toEqual(lines);
    for (const n of names) expect(readFileSync(join(d, n)).length).toBeLessThanOrEqual(100);
  });

  it('takes the last id from the newest rotated file when the active one is empty', async () => {
    const d = dir();
    writeFileSync(join(d, 'svc.log.000001'), `${line('3-0')}\n`);
    writeFileSync(join(d, 'svc.log.000002'), `${line('4-0')}\n`);
    writeFileSync(join(d, 'svc.log'), '');
    const f = new ServiceLogFile(d, 'svc', { maxBytes: 100 });
    await f.open();
    expect(f.lastId).toBe('4-0');
    // and rotates on to number 3
    await f.append([line('5-0', 'a'.repeat(40)), line('5-1', 'b'.repeat(40))], '5-1');
    await f.close();
    expect(readdirSync(d)).toContain('svc.log.000003');
  });

  it('re-opens after a failed write instead of appending to a broken file', async () => {
    const d = dir();
    const f = new ServiceLogFile(d, 'svc', { maxBytes: 1_000_000 });
    await f.append([line('1-0')], '1-0');
    await f.close();
    // A writer elsewhere left half a line (as a failed write would).
    appendFileSync(join(d, 'svc.log'), '{"logId":"1-1","ms');
    const g = new ServiceLogFile(d, 'svc', { maxBytes: 1_000_000 });
    await g.append([line('1-1')], '1-1');
    await g.close();
    expect(readFileSync(join(d, 'svc.log'), 'utf8')).toBe(`${line('1-0')}\n${line('1-1')}\n`);
  });
});
