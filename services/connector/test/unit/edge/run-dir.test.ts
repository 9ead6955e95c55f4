import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateDir } from '../../../src/edge/run-dir';

describe('privateDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-run-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory and its parents 0700', async () => {
    const run = join(dir, 'a', 'run');
    await privateDir(run);
    expect(statSync(run).mode & 0o777).toBe(0o700);
  });

  it('tightens a directory that existed looser', async () => {
    const run = join(dir, 'run');
    mkdirSync(run, { mode: 0o755 });
    await privateDir(run);
    expect(statSync(run).mode & 0o777).toBe(0o700);
  });
});
