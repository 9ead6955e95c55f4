import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from '../../../src/edge/run-dir';

describe('writePrivateFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pa-run-dir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes 0600 and replaces an older, looser file by rename (no leftover)', async () => {
    const path = join(dir, 'openvpn.conf');
    writeFileSync(path, 'old', { mode: 0o644 });
    const before = statSync(path).ino;
    await writePrivateFile(path, 'new certificate');
    expect(readFileSync(path, 'utf8')).toBe('new certificate');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // A new inode: readers holding the old file never see it half rewritten.
    expect(statSync(path).ino).not.toBe(before);
    expect(readdirSync(dir)).toEqual(['openvpn.conf']);
  });

  it('replaces the leftover of an interrupted write', async () => {
    const path = join(dir, 'openvpn.conf');
    writeFileSync(`${path}.new`, 'half', { mode: 0o644 });
    await writePrivateFile(path, 'whole');
    expect(readFileSync(path, 'utf8')).toBe('whole');
    expect(readdirSync(dir)).toEqual(['openvpn.conf']);
  });
});
