import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeSecretLeftovers, tightenMode, writeSecretFile } from '../../src/secret-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pki-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (p: string) => (await stat(p)).mode & 0o777;

describe('writeSecretFile', () => {
  it('writes a new file with mode 0600 and leaves no temp file', async () => {
    const p = join(dir, 'key.pem');
    await writeSecretFile(p, 'secret-data');
    expect(await readFile(p, 'utf8')).toBe('secret-data');
    expect(await modeOf(p)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['key.pem']);
  });

  it('replaces an existing world-readable file with a 0600 one by rename', async () => {
    const p = join(dir, 'state.json');
    await writeFile(p, 'old');
    await chmod(p, 0o644);
    const before = (await stat(p)).ino;
    await writeSecretFile(p, Buffer.from('new'));
    expect(await readFile(p, 'utf8')).toBe('new');
    expect(await modeOf(p)).toBe(0o600);
    // A new inode: readers holding the old file never see it half rewritten.
    expect((await stat(p)).ino).not.toBe(before);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('fails on a missing directory without leaving anything behind', async () => {
    await expect(writeSecretFile(join(dir, 'nope', 'x'), 'data')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('removeSecretLeftovers', () => {
  it('removes the temp files of interrupted writes of that file only', async () => {
    const p = join(dir, 'openvpn.conf');
    await writeFile(p, 'whole');
    await writeFile(join(dir, '.openvpn.conf.0a1b2c3d4e5f.tmp'), 'half');
    await writeFile(join(dir, '.other.conf.0a1b2c3d4e5f.tmp'), 'not ours');
    await removeSecretLeftovers(p);
    expect((await readdir(dir)).sort()).toEqual(['.other.conf.0a1b2c3d4e5f.tmp', 'openvpn.conf']);
  });

  it('is quiet when the directory is gone', async () => {
    await expect(removeSecretLeftovers(join(dir, 'gone', 'x'))).resolves.toBeUndefined();
  });
});

describe('tightenMode', () => {
  it('tightens a 0644 file to 0600 and reports it', async () => {
    const p = join(dir, 'f');
    await writeFile(p, 'x');
    await chmod(p, 0o644);
    expect(await tightenMode(p)).toBe(true);
    expect(await modeOf(p)).toBe(0o600);
  });

  it('leaves a 0600 (or tighter) file alone', async () => {
    const p = join(dir, 'f');
    await writeFile(p, 'x');
    await chmod(p, 0o400);
    expect(await tightenMode(p)).toBe(false);
    expect(await modeOf(p)).toBe(0o400);
  });

  it('accepts another target mode', async () => {
    const p = join(dir, 'f');
    await writeFile(p, 'x');
    await chmod(p, 0o666);
    expect(await tightenMode(p, 0o644)).toBe(true);
    expect(await modeOf(p)).toBe(0o644);
  });
});
