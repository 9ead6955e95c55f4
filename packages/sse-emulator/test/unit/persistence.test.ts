import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyState, type StateData } from '../../src/state/model';
import { loadStateFile, StatePersister } from '../../src/state/persistence';
import { WIKI } from '../support/sample-app';

function deferredWrites() {
  const writes: Array<{ data: string; done: () => void; fail: (e: Error) => void }> = [];
  const write = (_path: string, data: string) =>
    new Promise<void>((done, fail) => {
      writes.push({ data, done, fail });
    });
  return { writes, write };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('StatePersister', () => {
  it('keeps one write in flight and coalesces saves made meanwhile', async () => {
    const state: StateData = emptyState();
    const { writes, write } = deferredWrites();
    const persister = new StatePersister('/nowhere', () => state, write);

    const first = persister.save();
    await flush();
    expect(writes).toHaveLength(1);

    state.release = { version: '2', publishedAt: 'x', images: {} };
    const second = persister.save();
    const third = persister.save();
    expect(third).toBe(second);
    await flush();
    expect(writes).toHaveLength(1);

    writes[0]?.done();
    await first;
    await flush();
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[1]?.data ?? '').release.version).toBe('2');
    writes[1]?.done();
    await second;
    expect(persister.writes).toBe(2);
  });

  it('reports a failed write to its callers and keeps going', async () => {
    const { writes, write } = deferredWrites();
    const persister = new StatePersister('/nowhere', emptyState, write);
    const failing = persister.save();
    await flush();
    writes[0]?.fail(new Error('disk full'));
    await expect(failing).rejects.toThrow('disk full');
    const next = persister.save();
    await flush();
    writes[1]?.done();
    await expect(next).resolves.toBeUndefined();
  });
});

describe('loadStateFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'emu-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('returns undefined for a fresh directory and round-trips a saved state', async () => {
    const path = join(dir, 'state.json');
    expect(await loadStateFile(path)).toBeUndefined();
    const state = emptyState();
    state.release = { version: '1', publishedAt: 'now', images: {} };
    state.customerId = 'cus_0123456789abcdef';
    await new StatePersister(path, () => state).save();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadStateFile(path)).toEqual(state);
  });

  it('loads an older file without apps or update slots as having none', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, JSON.stringify({ schema: 1, groups: {}, keys: {}, connectors: {} }));
    expect(await loadStateFile(path)).toMatchObject({ apps: {}, updateSlots: {} });
    const state = emptyState();
    state.apps.app_1 = {
      id: 'app_1',
      app: { id: 'app_1', ...WIKI },
      groups: ['grp_1'],
      createdAt: 'then',
    };
    state.updateSlots.grp_1 = { connectorId: 'con_1', leaseId: 'lse_1', expiresAt: 'later' };
    await new StatePersister(path, () => state).save();
    expect(await loadStateFile(path)).toEqual(state);
  });

  it('refuses a corrupt or foreign file instead of starting over it', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"schema":1,"groups":');
    await expect(loadStateFile(path)).rejects.toThrow(/not valid JSON/);
    await writeFile(path, '{"hello":"world"}');
    await expect(loadStateFile(path)).rejects.toThrow(/not an emulator state file/);
    expect(await readFile(path, 'utf8')).toBe('{"hello":"world"}');
  });
});
