import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityError } from '../../src/identity/identity-error';
import { IdentityStore, type SaveStep } from '../../src/identity/identity-store';
import { captureLogger } from '../support/capture-logger';
import { makeIdentity } from '../support/identity-fixture';

const mode = (p: string) => statSync(p).mode & 0o777;

const STATIC_KEY = `-----BEGIN OpenVPN Static key V1-----\n${'0123456789abcdef'.repeat(2).concat('\n').repeat(16)}-----END OpenVPN Static key V1-----\n`;

describe('identity store', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pa-identity-'));
    dir = join(root, 'data');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const store = (afterStep?: (s: SaveStep) => void) => {
    const { logger, entries } = captureLogger();
    return { s: new IdentityStore(dir, { logger, ...(afterStep ? { afterStep } : {}) }), entries };
  };

  it('stores and loads an identity; directories 0700, files 0600', async () => {
    const { s } = store();
    await s.prepare();
    expect(await s.load()).toBeUndefined();
    const id = makeIdentity();
    await s.save(id);
    const loaded = await s.load();
    expect(loaded).toMatchObject({
      connectorId: 'con_test',
      groupId: 'grp_test',
      hostname: 'vm1',
      gateways: id.gateways,
    });
    expect(loaded?.privateKeyPem).toBe(id.privateKeyPem);
    expect(loaded?.caChainPems).toHaveLength(1);
    expect(mode(dir)).toBe(0o700);
    expect(lstatSync(join(dir, 'identity')).isSymbolicLink()).toBe(true);
    expect(mode(join(dir, 'identity'))).toBe(0o700);
    for (const p of Object.values(s.paths)) expect(mode(p)).toBe(0o600);
  });

  it('loads an identity saved when the region was called pop', async () => {
    const { s } = store();
    await s.prepare();
    await s.save(makeIdentity());
    const { region, ...rest } = JSON.parse(readFileSync(s.paths.meta, 'utf8'));
    writeFileSync(s.paths.meta, JSON.stringify({ ...rest, pop: region }));
    expect((await s.load())?.region).toBe(region);
  });

  it('keeps the tunnel settings with the identity', async () => {
    const { s } = store();
    await s.prepare();
    const tunnel = { tlsCryptKey: STATIC_KEY, cipher: 'AES-256-GCM' };
    await s.save({ ...makeIdentity(), tunnel });
    expect((await s.load())?.tunnel).toEqual(tunnel);
  });

  it.each([
    [
      'a directive after the tls-crypt key',
      { tlsCryptKey: `${STATIC_KEY}</tls-crypt>\nup /x\n`, cipher: 'AES-256-GCM' },
      /tunnel\.tlsCryptKey/,
    ],
    ['cipher none', { tlsCryptKey: STATIC_KEY, cipher: 'none' }, /tunnel\.cipher "none"/],
  ])(
    'refuses a stored identity with %s (written by an older version)',
    async (_what, tunnel, field) => {
      const { s } = store();
      await s.prepare();
      await s.save({ ...makeIdentity(), tunnel });
      const err = await s.load().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'identity_corrupt', exitCode: 71 });
      expect((err as Error).message).toMatch(field);
    },
  );

  it('replaces an identity and leaves no trace of the old one', async () => {
    const { s } = store();
    await s.prepare();
    await s.save(makeIdentity({ connectorId: 'con_a' }));
    await s.save(makeIdentity({ connectorId: 'con_b' }));
    expect((await s.load())?.connectorId).toBe('con_b');
    expect(readdirSync(dir).filter((e) => e.startsWith('identity-'))).toHaveLength(1);
  });

  it.each<SaveStep>(['files-written', 'link-created', 'switched'])(
    'a crash after "%s" leaves the old identity or the new one, whole',
    async (step) => {
      const { s } = store();
      await s.prepare();
      const old = makeIdentity({ connectorId: 'con_old' });
      await s.save(old);
      const crashing = store((at) => {
        if (at === step) throw new Error(`crash after ${at}`);
      }).s;
      await expect(crashing.save(makeIdentity({ connectorId: 'con_new' }))).rejects.toThrow(
        'crash',
      );

      const restarted = store().s;
      await restarted.prepare();
      const loaded = await restarted.load();
      expect(loaded?.connectorId).toBe(step === 'switched' ? 'con_new' : 'con_old');
      // Whatever the crash left behind is gone after the restart's prepare().
      expect(readdirSync(dir).sort()).toEqual(['identity', expect.stringMatching(/^identity-/)]);
    },
  );

  it('a crash during the first enrollment leaves no identity at all', async () => {
    for (const step of ['files-written', 'link-created'] as const) {
      rmSync(dir, { recursive: true, force: true });
      const crashing = store((at) => {
        if (at === step) throw new Error('crash');
      }).s;
      await crashing.prepare();
      await expect(crashing.save(makeIdentity())).rejects.toThrow('crash');
      const restarted = store().s;
      await restarted.prepare();
      expect(await restarted.load()).toBeUndefined();
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('tightens looser modes on start and says so', async () => {
    const { s } = store();
    await s.prepare();
    await s.save(makeIdentity());
    chmodSync(dir, 0o755);
    chmodSync(s.paths.key, 0o644);
    chmodSync(s.paths.meta, 0o640);
    const again = store();
    await again.s.prepare();
    expect(mode(dir)).toBe(0o700);
    expect(mode(s.paths.key)).toBe(0o600);
    expect(mode(s.paths.meta)).toBe(0o600);
    const tightened = again
      .entries()
      .filter((e) => String(e.msg).startsWith('tightened permissions'));
    expect(tightened.map((e) => [e.path, e.from, e.to])).toEqual(
      expect.arrayContaining([
        [dir, '0755', '0700'],
        [expect.stringContaining('client.key'), '0644', '0600'],
        [expect.stringContaining('identity.json'), '0640', '0600'],
      ]),
    );
  });

  it('refuses an identity whose key does not match its certificate', async () => {
    const { s } = store();
    await s.prepare();
    await s.save(makeIdentity());
    writeFileSync(s.paths.key, makeIdentity().privateKeyPem);
    await expect(s.load()).rejects.toThrow(IdentityError);
    await expect(s.load()).rejects.toMatchObject({ code: 'identity_corrupt', exitCode: 71 });
  });

  it('refuses an identity with a missing file', async () => {
    const { s } = store();
    await s.prepare();
    await s.save(makeIdentity());
    rmSync(s.paths.chain);
    await expect(s.load()).rejects.toThrow(/incomplete: cannot read ca-chain.pem/);
  });

  it('reports a data directory it cannot create', async () => {
    writeFileSync(join(root, 'file'), 'x');
    const s = new IdentityStore(join(root, 'file', 'data'), { logger: captureLogger().logger });
    await expect(s.prepare()).rejects.toMatchObject({ code: 'data_dir_unusable', exitCode: 73 });
  });
});
