import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readiness } from '@pa-connector/service-runtime';
import { LogDirHealth } from '../../src/files/log-dir-health';

describe('LogDirHealth', () => {
  const base = () => mkdtempSync(join(tmpdir(), 'pa-logdir-'));

  it('creates a missing directory and reports it writable', async () => {
    const dir = join(base(), 'a', 'b');
    const h = new LogDirHealth(dir);
    expect(readiness([h.check()]).ready).toBe(false);
    expect(await h.probe()).toBe(true);
    expect(readiness([h.check()])).toEqual({
      ready: true,
      checks: { logDir: { ok: true, detail: { dir, writable: true } } },
    });
  });

  it('is not ready when the path is a file, and says why', async () => {
    const file = join(base(), 'not-a-dir');
    writeFileSync(file, 'x');
    const h = new LogDirHealth(file);
    expect(await h.probe()).toBe(false);
    const report = readiness([h.check()]);
    expect(report.ready).toBe(false);
    expect(report.checks.logDir?.detail).toMatchObject({
      writable: false,
      error: /EEXIST|ENOTDIR/,
    });
  });

  it('follows what the writer reports', () => {
    const h = new LogDirHealth('/nowhere');
    h.report(true);
    expect(h.writable).toBe(true);
    h.report(false, Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
    expect(h.check().detail?.()).toMatchObject({ error: 'ENOSPC: no space left' });
  });
});
