import { Writable } from 'node:stream';
import { createLogger } from '@pa-connector/logger';
import type { ReleaseManifest } from '@pa-connector/sse-api';
import type { SlotSettings } from '../../src/group/update-slot';
import { Updater, type UpdaterOptions } from '../../src/rollout/updater';
import { parseUpdateWindow } from '../../src/schedule/update-window';
import type { UpdateHistoryEntry, UpdateStatus } from '../../src/status/update-status';
import { UpdateError } from '../../src/update-error';
import { FakeEngine, type FakeImage } from '../support/fake-engine';
import { FakeGroupApi } from '../support/fake-group-api';
import { steppingClock } from '../support/stepping-clock';

const PROJECT = 'pa';
const REG = 'registry.local:5000/pa';
const hex = (c: string) => c.repeat(64);
const digest = (c: string) => `sha256:${hex(c)}`;

function image(id: string, repo: string, d: string, behaviour?: FakeImage['behaviour']): FakeImage {
  return {
    id: `sha256:${hex(id)}`,
    repoDigests: [`${repo}@${d}`],
    ...(behaviour ? { behaviour } : {}),
  };
}

interface Fixture {
  engine: FakeEngine;
  updater: Updater;
  statuses: UpdateStatus[];
  history: UpdateHistoryEntry[];
  logs: Array<Record<string, unknown>>;
  group: FakeGroupApi;
}

function setup(
  manifest: ReleaseManifest | undefined | Error,
  over: Partial<UpdaterOptions> = {},
  /** The group API's calls in the engine's list: one timeline. */
  oneTimeline = false,
  slot: Partial<SlotSettings> = {},
): Fixture {
  const engine = new FakeEngine();
  const clock = over.clock ?? steppingClock();
  const group = new FakeGroupApi(oneTimeline ? engine.calls : [], () => clock.now());
  const statuses: UpdateStatus[] = [];
  const history: UpdateHistoryEntry[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) logs.push(JSON.parse(l));
      cb();
    },
  });
  const updater = new Updater({
    engine,
    release: {
      fetch: async () => {
        if (manifest instanceof Error) throw manifest;
        return manifest;
      },
    },
    status: {
      set: async (s) => {
        statuses.push(s);
      },
      record: async (e) => {
        history.push(e);
      },
    },
    clock,
    logger: createLogger({ service: 'update', level: 'debug', destination }),
    version: '1.0.0.5',
    project: async () => PROJECT,
    selfId: async () => undefined,
    auto: true,
    intervalMs: 3_600_000,
    initialDelayMs: 0,
    replace: {
      healthTimeoutMs: 60_000,
      runningGraceMs: 5_000,
      stopTimeoutSeconds: 10,
      pollMs: 1_000,
    },
    group: {
      api: group,
      slot: { ttlMs: 900_000, retryMs: 15_000, waitMs: 1_800_000, ...slot },
      drainTimeoutMs: 60_000,
    },
    ...over,
  });
  return { engine, updater, statuses, history, logs, group };
}

/** logging and connector at 1.0.0.5; the release 1.0.1 in the registry. */
function twoServices(
  f: Fixture,
  newBehaviour: Partial<Record<string, FakeImage['behaviour']>> = {},
) {
  for (const [i, service] of ['logging', 'connector'].entries()) {
    f.engine.addContainer(
      PROJECT,
      service,
      `pa-connector/${service}:1.0.0.5`,
      image(String(i + 1), `${REG}/${service}`, digest(String(i + 1))),
    );
    f.engine.registry.set(
      `${REG}/${service}:1.0.1`,
      image(String(i + 5), `${REG}/${service}`, digest(String(i + 5)), newBehaviour[service]),
    );
  }
}

const release: ReleaseManifest = {
  version: '1.0.1',
  publishedAt: '2026-11-23T00:00:00Z',
  minAutoUpgradeVersion: '1.0.0.3',
  images: {
    logging: { image: `${REG}/logging:1.0.1`, digest: digest('5') },
    connector: { image: `${REG}/connector:1.0.1`, digest: digest('6') },
  },
};

const changes = (calls: string[]) => calls.filter((c) => !c.startsWith('pull '));

describe('Updater', () => {
  it('reports no-release when none is published, and touches nothing', async () => {
    const f = setup(undefined);
    twoServices(f);
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'no-release' });
    expect(f.engine.calls).toEqual([]);
  });

  it('below the oldest version that may upgrade itself: "manual upgrade required", nothing changed', async () => {
    const f = setup({ ...release, minAutoUpgradeVersion: '1.0.0.6' });
    twoServices(f);
    const out = await f.updater.check();
    expect(out.state).toBe('manual-upgrade-required');
    expect(out.message).toMatch(
      /manual upgrade required: this POP runs 1\.0\.0\.5; release 1\.0\.1 upgrades automatically only from 1\.0\.0\.6 on/,
    );
    expect(f.engine.calls).toEqual([]);
    expect(f.statuses.at(-1)).toMatchObject({
      state: 'manual-upgrade-required',
      running: '1.0.0.5',
      available: '1.0.1',
      minAutoUpgradeVersion: '1.0.0.6',
    });
  });

  it('replaces the services one at a time, logging before connector, and records each', async () => {
    const f = setup(release);
    twoServices(f);
    const out = await f.updater.check();
    expect(out).toEqual({ state: 'updated', message: 'every service runs release 1.0.1' });
    // Every image pulled before any container is touched.
    expect(f.engine.calls.slice(0, 2)).toEqual([
      `pull ${REG}/logging:1.0.1`,
      `pull ${REG}/connector:1.0.1`,
    ]);
    expect(changes(f.engine.calls)).toEqual([
      // The trial beside the running container, then the replacement.
      `create pa_logging_1-pa-trial ${REG}/logging@${digest('5')}`,
      'start pa_logging_1-pa-trial',
      'remove pa_logging_1-pa-trial',
      'stop pa_logging_1',
      'rename pa_logging_1 pa_logging_1-pa-previous',
      `create pa_logging_1 ${REG}/logging@${digest('5')}`,
      'start pa_logging_1',
      'remove pa_logging_1-pa-previous',
      `create pa_connector_1-pa-trial ${REG}/connector@${digest('6')}`,
      'start pa_connector_1-pa-trial',
      'remove pa_connector_1-pa-trial',
      'stop pa_connector_1',
      'rename pa_connector_1 pa_connector_1-pa-previous',
      `create pa_connector_1 ${REG}/connector@${digest('6')}`,
      'start pa_connector_1',
      'remove pa_connector_1-pa-previous',
    ]);
    expect(f.history.map((h) => [h.service, h.result, h.version])).toEqual([
      ['logging', 'updated', '1.0.1'],
      ['connector', 'updated', '1.0.1'],
    ]);
    expect(f.engine.byName('pa_logging_1')?.config.Env).toEqual(['PA_HTTP_PORT=8081']);
    // A second check finds nothing to do.
    f.engine.calls.length = 0;
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'up-to-date' });
    expect(f.engine.calls).toEqual([]);
  });

  it('an image that fails its trial run: the running container is not touched, and the rollout stops there', async () => {
    const f = setup(release);
    twoServices(f, { logging: 'unhealthy' });
    const before = f.engine.byName('pa_logging_1')?.id;
    const out = await f.updater.check();
    expect(out.state).toBe('trial-failed');
    expect(out.message).toBe(
      'logging: the new image failed its trial run (health check failed); the running container was not touched',
    );
    expect(changes(f.engine.calls)).toEqual([
      `create pa_logging_1-pa-trial ${REG}/logging@${digest('5')}`,
      'start pa_logging_1-pa-trial',
      'remove pa_logging_1-pa-trial',
    ]);
    expect(f.engine.byName('pa_logging_1')).toMatchObject({ id: before, running: true });
    expect(f.engine.containers.size).toBe(2);
    expect(f.history).toEqual([
      expect.objectContaining({ service: 'logging', result: 'trial-failed', version: '1.0.1' }),
    ]);
    expect(f.statuses.at(-1)).toMatchObject({ state: 'trial-failed', lastError: 'trial_failed' });
    expect(f.logs.find((l) => l.level === 'error')).toMatchObject({
      output: 'boom: cannot start\n',
    });
  });

  it('an image whose trial exits: the same, nothing stopped', async () => {
    const f = setup(release);
    twoServices(f, { logging: 'exited' });
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'trial-failed' });
    expect(f.engine.calls.some((c) => c.startsWith('stop '))).toBe(false);
    expect(f.engine.byName('pa_logging_1')?.running).toBe(true);
  });

  it('removes a trial container an interrupted check left behind, and does not take it for the service', async () => {
    const f = setup(release);
    twoServices(f);
    const stale = f.engine.addContainer(
      PROJECT,
      'logging',
      'pa-connector/logging:1.0.0.4',
      image('8', `${REG}/logging`, digest('8')),
    );
    await f.engine.rename(stale, 'pa_logging_1-pa-trial');
    f.engine.calls.length = 0;
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'updated' });
    expect(changes(f.engine.calls).slice(0, 2)).toEqual([
      'remove pa_logging_1-pa-trial',
      `create pa_logging_1-pa-trial ${REG}/logging@${digest('5')}`,
    ]);
    expect(f.engine.containers.has(stale)).toBe(false);
    expect(f.engine.byName('pa_logging_1')?.imageId).toBe(`sha256:${hex('5')}`);
  });

  it('rolls back a service that passed its trial but is not healthy in its place, and stops the rollout there', async () => {
    const f = setup(release);
    twoServices(f, { logging: 'unhealthy-unless-trial' });
    const before = f.engine.byName('pa_logging_1')?.id;
    const out = await f.updater.check();
    expect(out.state).toBe('rolled-back');
    expect(out.message).toMatch(
      /^logging: the new container was not healthy \(health check failed\); rolled back/,
    );
    const logging = f.engine.byName('pa_logging_1');
    expect(logging?.id).toBe(before);
    expect(logging?.running).toBe(true);
    expect(f.engine.byName('pa_logging_1-pa-previous')).toBeUndefined();
    // The connector was pulled but never touched.
    expect(changes(f.engine.calls).some((c) => c.includes('connector'))).toBe(false);
    expect(f.history).toEqual([
      expect.objectContaining({ service: 'logging', result: 'rolled-back' }),
    ]);
    expect(f.statuses.at(-1)).toMatchObject({ state: 'rolled-back', lastError: 'unhealthy' });
    expect(f.logs.find((l) => l.level === 'error')).toMatchObject({
      output: 'boom: cannot start\n',
    });
  });

  it('rolls back a new container that exits in its place', async () => {
    const f = setup(release);
    twoServices(f, { logging: 'exits-unless-trial' });
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'rolled-back' });
    expect(f.engine.byName('pa_logging_1')?.running).toBe(true);
    expect(f.engine.containers.size).toBe(2);
  });

  it('a failed pull changes nothing: no container stopped, renamed or removed', async () => {
    const f = setup(release);
    twoServices(f);
    f.engine.pullError = 'dial tcp registry.local:5000: connection refused';
    const out = await f.updater.check();
    expect(out.state).toBe('failed');
    expect(out.message).toMatch(/^logging: pulling .*connection refused; nothing was changed$/);
    expect(changes(f.engine.calls)).toEqual([]);
    expect([...f.engine.containers.values()].every((c) => c.running)).toBe(true);
    expect(f.statuses.at(-1)).toMatchObject({ state: 'failed', lastError: 'pull_failed' });
  });

  it("refuses an image whose digest is not the release's, before touching anything", async () => {
    const f = setup(release);
    twoServices(f);
    f.engine.registry.set(`${REG}/connector:1.0.1`, image('9', `${REG}/connector`, digest('9')));
    const out = await f.updater.check();
    expect(out.state).toBe('failed');
    expect(out.message).toContain(`not ${digest('6')} as the release says; refused`);
    expect(changes(f.engine.calls)).toEqual([]);
    expect(f.history).toEqual([
      expect.objectContaining({ service: 'connector', result: 'refused' }),
    ]);
    expect(f.statuses.at(-1)).toMatchObject({ lastError: 'digest_mismatch' });
  });

  it('stops at a container set aside by an update that did not finish, and touches nothing', async () => {
    const f = setup(release);
    twoServices(f);
    const spare = f.engine.addContainer(
      PROJECT,
      'connector',
      'pa-connector/connector:1.0.0.4',
      image('8', `${REG}/connector`, digest('8')),
    );
    await f.engine.rename(spare, 'pa_connector_1-pa-previous');
    f.engine.calls.length = 0;
    const out = await f.updater.check();
    expect(out).toMatchObject({ state: 'failed' });
    expect(out.message).toMatch(
      /^connector: container pa_connector_1-pa-previous was set aside by an update that did not finish/,
    );
    expect(f.engine.calls).toEqual([]);
    expect(f.statuses.at(-1)).toMatchObject({ lastError: 'leftover_container' });
  });

  it('only reports what is available when automatic update is off', async () => {
    const f = setup(release, { auto: false });
    twoServices(f);
    await expect(f.updater.check()).resolves.toEqual({
      state: 'update-available',
      message: 'release 1.0.1 is available for logging, connector (automatic update is off)',
    });
    expect(f.engine.calls).toEqual([]);
  });

  it('waits for the update window (the clock says 03:00 UTC)', async () => {
    const outside = setup(release, { window: parseUpdateWindow('22:00-02:00') });
    twoServices(outside);
    await expect(outside.updater.check()).resolves.toMatchObject({ state: 'waiting-for-window' });
    expect(outside.engine.calls).toEqual([]);
    expect(outside.statuses.at(-1)).toMatchObject({ window: '22:00-02:00 UTC' });

    const inside = setup(release, { window: parseUpdateWindow('02:30-04:00') });
    twoServices(inside);
    await expect(inside.updater.check()).resolves.toMatchObject({ state: 'updated' });
  });

  it('reports a connector that does not answer as a failed check with its code', async () => {
    const f = setup(
      new UpdateError('connector_unreachable', 'release manifest: cannot reach the connector'),
    );
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'failed' });
    expect(f.statuses.at(-1)).toMatchObject({
      state: 'failed',
      lastError: 'connector_unreachable',
    });
  });

  it('hands over to its own successor last, and stops itself', async () => {
    let selfId = '';
    const f = setup(
      {
        ...release,
        images: {
          ...release.images,
          update: { image: `${REG}/update:1.0.1`, digest: digest('7') },
        },
      },
      { selfId: async () => selfId },
    );
    const self = f.engine.addContainer(
      PROJECT,
      'update',
      'pa-connector/update:1.0.0.5',
      image('3', `${REG}/update`, digest('3')),
    );
    selfId = self;
    twoServices(f);
    f.engine.registry.set(`${REG}/update:1.0.1`, image('7', `${REG}/update`, digest('7')));
    const out = await f.updater.check();
    expect(out.state).toBe('updating');
    await new Promise((r) => setImmediate(r));
    const calls = changes(f.engine.calls);
    expect(calls.slice(-4)).toEqual([
      'rename pa_update_1 pa_update_1-pa-previous',
      `create pa_update_1 ${REG}/update@${digest('7')}`,
      'start pa_update_1',
      'stop pa_update_1-pa-previous',
    ]);
    expect(f.engine.containers.get(self)?.running).toBe(false);
    expect(f.history.map((h) => h.service)).toEqual(['logging', 'connector', 'update']);
  });

  it('finishHandOver removes the predecessor once the successor runs', async () => {
    let me = '';
    const f = setup(release, { selfId: async () => me });
    const old = f.engine.addContainer(
      PROJECT,
      'update',
      'u:1',
      image('3', `${REG}/update`, digest('3')),
    );
    await f.engine.rename(old, 'pa_update_1-pa-previous');
    const successor = f.engine.addContainer(
      PROJECT,
      'update',
      'u:2',
      image('4', `${REG}/update`, digest('4')),
    );
    // Without a predecessor nothing happens; with one, it goes.
    me = old;
    await f.updater.finishHandOver();
    expect(f.engine.containers.size).toBe(2);
    me = successor;
    await f.updater.finishHandOver();
    expect(f.engine.byName('pa_update_1-pa-previous')).toBeUndefined();
    expect([...f.engine.containers.keys()]).toEqual([successor]);
  });
});

describe("Updater: the connector waits for the group's update slot and drains first", () => {
  const TAKEN = {
    kind: 'taken',
    message:
      "the connector answered 409 update_slot_taken: the group's update slot is held by conn-b until 2026-11-23T03:10:00.000Z",
    holder: 'conn-b',
    until: '2026-11-23T03:10:00.000Z',
  } as const;
  const trialAndReplace = [
    `create pa_connector_1-pa-trial ${REG}/connector@${digest('6')}`,
    'start pa_connector_1-pa-trial',
    'remove pa_connector_1-pa-trial',
  ];
  const replaced = [
    'stop pa_connector_1',
    'rename pa_connector_1 pa_connector_1-pa-previous',
    `create pa_connector_1 ${REG}/connector@${digest('6')}`,
    'start pa_connector_1',
  ];
  const connectorPart = (calls: string[]) =>
    changes(calls).slice(changes(calls).indexOf(trialAndReplace[0] as string));
  const fixture = (
    slot: Partial<SlotSettings> = {},
    behaviour: Partial<Record<string, FakeImage['behaviour']>> = {},
  ) => {
    const clock = steppingClock();
    const f = setup(release, { clock }, true, slot);
    twoServices(f, behaviour);
    return { f, clock };
  };

  it('takes the slot, drains the connector, replaces it, then gives the slot back', async () => {
    const { f } = fixture();
    f.group.drainStates.push(
      { draining: true, openConnections: 2, drained: false },
      { draining: true, openConnections: 0, drained: true },
    );
    const out = await f.updater.check();
    expect(out).toEqual({ state: 'updated', message: 'every service runs release 1.0.1' });
    expect(connectorPart(f.engine.calls)).toEqual([
      ...trialAndReplace,
      'slot granted lease-1',
      'drain start',
      'drain state 2 open',
      'drain state 0 open',
      ...replaced,
      'remove pa_connector_1-pa-previous',
      'slot release lease-1',
    ]);
    // logging needs no slot: the first slot call comes after its replacement.
    expect(f.engine.calls.indexOf('slot granted lease-1')).toBeGreaterThan(
      f.engine.calls.indexOf('remove pa_logging_1-pa-previous'),
    );
    expect(f.group.ttlAsked).toEqual([900]);
    expect(f.statuses.map((st) => st.message)).toContain('draining connector before replacing it');
    expect(f.logs.find((l) => l.msg === 'the connector is drained')).toBeDefined();
  });

  it('stops waiting for the drain when its timeout has passed, and replaces the connector anyway', async () => {
    const { f, clock } = fixture();
    for (let i = 0; i < 200; i++) {
      f.group.drainStates.push({ draining: true, openConnections: 1, drained: false });
    }
    const started = clock.now();
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'updated' });
    // Polled once a second for the 60 s of PA_UPDATE_DRAIN_TIMEOUT.
    expect(f.engine.calls.filter((c) => c === 'drain state 1 open')).toHaveLength(60);
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(f.engine.byName('pa_connector_1')?.imageRef).toBe(`${REG}/connector@${digest('6')}`);
    expect(f.logs.find((l) => l.openConnections === 1 && l.level === 'warn')?.msg).toBe(
      'the connector still had open connections after 1m; replacing it now',
    );
  });

  it('a connector that cannot drain (no such route) is replaced anyway: its stop drains', async () => {
    const { f } = fixture();
    f.group.drainError = 'the connector answered 404 http_404';
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'updated' });
    expect(connectorPart(f.engine.calls)).toEqual([
      ...trialAndReplace,
      'slot granted lease-1',
      'drain start',
      ...replaced,
      'remove pa_connector_1-pa-previous',
      'slot release lease-1',
    ]);
  });

  it('slot taken: reports waiting_for_slot naming the holder, asks again every 15 s, then replaces', async () => {
    const { f, clock } = fixture();
    f.group.slotAnswers.push(TAKEN, TAKEN);
    const started = clock.now();
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'updated' });
    expect(connectorPart(f.engine.calls).slice(3, 7)).toEqual([
      'slot taken',
      'slot taken',
      'slot granted lease-1',
      'drain start',
    ]);
    expect(clock.now() - started).toBeGreaterThanOrEqual(30_000);
    const waiting = f.statuses.filter((st) => st.state === 'waiting_for_slot');
    // One status and one log line per holder and expiry, not one per retry.
    expect(waiting).toEqual([
      expect.objectContaining({
        service: 'connector',
        message:
          "connector: waiting for the group's update slot (held by conn-b until 2026-11-23T03:10:00.000Z); asking again every 15s for at most 30m",
      }),
    ]);
    const line = f.logs.filter((l) => String(l.msg).startsWith('waiting for the group'));
    expect(line).toEqual([
      expect.objectContaining({ holder: 'conn-b', until: '2026-11-23T03:10:00.000Z' }),
    ]);
    expect(f.history.map((h) => [h.service, h.result])).toEqual([
      ['logging', 'updated'],
      ['connector', 'updated'],
    ]);
  });

  it('slot still taken after PA_UPDATE_SLOT_WAIT: the connector is left as it is until the next check', async () => {
    const { f, clock } = fixture({ waitMs: 60_000 });
    for (let i = 0; i < 20; i++) f.group.slotAnswers.push(TAKEN);
    const connector = f.engine.byName('pa_connector_1')?.id;
    const started = clock.now();
    const out = await f.updater.check();
    expect(out.state).toBe('waiting_for_slot');
    expect(out.message).toBe(
      `release 1.0.1: connector not updated: another connector of the group still held the update slot after 1m (${TAKEN.message}); the next check tries again`,
    );
    expect(f.statuses.at(-1)).toMatchObject({ lastError: 'update_slot_taken' });
    // Asked at 0, 15, 30, 45 and 60 s.
    expect(f.engine.calls.filter((c) => c === 'slot taken')).toHaveLength(5);
    expect(clock.now() - started).toBe(60_000);
    // logging was replaced meanwhile; the connector was not touched, no slot to give back.
    expect(f.history.map((h) => [h.service, h.result])).toEqual([['logging', 'updated']]);
    expect(f.engine.byName('pa_connector_1')?.id).toBe(connector);
    expect(f.engine.calls.filter((c) => /^(stop|slot release|drain)/.test(c))).toEqual([
      'stop pa_logging_1',
    ]);
    // The next check tries again and gets it (the other connector is done).
    f.group.slotAnswers.length = 0;
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'updated' });
    expect(f.engine.calls.slice(-2)).toEqual([
      'remove pa_connector_1-pa-previous',
      'slot release lease-1',
    ]);
  });

  it('a slot request that fails otherwise (not enrolled): the connector is not replaced, the result says why', async () => {
    const { f } = fixture();
    f.group.slotAnswers.push({
      kind: 'failed',
      code: 'not_enrolled',
      message: 'the connector answered 503 not_enrolled: the connector is not enrolled yet',
    });
    const out = await f.updater.check();
    expect(out).toEqual({
      state: 'failed',
      message:
        "release 1.0.1: connector not updated: could not take the group's update slot (the connector answered 503 not_enrolled: the connector is not enrolled yet); the next check tries again",
    });
    expect(f.statuses.at(-1)).toMatchObject({ state: 'failed', lastError: 'not_enrolled' });
    // Asked once: only a held slot is waited for.
    expect(f.engine.calls.filter((c) => c.startsWith('slot'))).toEqual(['slot failed']);
    expect(f.engine.calls).not.toContain('stop pa_connector_1');
  });

  it('gives the slot back after a rollback too (the old connector answers it)', async () => {
    const { f } = fixture({}, { connector: 'unhealthy-unless-trial' });
    const out = await f.updater.check();
    expect(out.state).toBe('rolled-back');
    expect(connectorPart(f.engine.calls)).toEqual([
      ...trialAndReplace,
      'slot granted lease-1',
      'drain start',
      ...replaced,
      'remove pa_connector_1',
      'rename pa_connector_1-pa-previous pa_connector_1',
      'start pa_connector_1',
      'slot release lease-1',
    ]);
  });

  it('a replacement that breaks off before the connector stopped takes it back into service', async () => {
    const { f } = fixture();
    const connector = f.engine.byName('pa_connector_1')?.id;
    const stop = f.engine.stop.bind(f.engine);
    f.engine.stop = async (id: string) => {
      if (id === connector) throw new Error('stopping container: the engine timed out');
      return stop(id);
    };
    const out = await f.updater.check();
    expect(out).toEqual({ state: 'failed', message: 'stopping container: the engine timed out' });
    expect(connectorPart(f.engine.calls)).toEqual([
      ...trialAndReplace,
      'slot granted lease-1',
      'drain start',
      'drain end',
      'slot release lease-1',
    ]);
    expect(f.engine.byName('pa_connector_1')?.running).toBe(true);
  });

  it('a release that fails is logged: the lease expires on its own', async () => {
    const { f } = fixture();
    f.group.releaseError = 'cannot reach the connector at http://127.0.0.1:8080: ECONNREFUSED';
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'updated' });
    expect(f.engine.calls.at(-1)).toBe('slot release lease-1');
    expect(
      f.logs.find(
        (l) => l.msg === "could not give the group's update slot back; it expires on its own",
      ),
    ).toMatchObject({ leaseId: 'lease-1', reason: f.group.releaseError, level: 'warn' });
  });

  it('renews the lease when half its ttl has passed while the connector is still replaced', async () => {
    const { f } = fixture({ ttlMs: 10_000 });
    // The drain takes 8 s: the 10 s lease is renewed at 5 s.
    for (let i = 0; i < 7; i++) {
      f.group.drainStates.push({ draining: true, openConnections: 1, drained: false });
    }
    await expect(f.updater.check()).resolves.toMatchObject({ state: 'updated' });
    const part = connectorPart(f.engine.calls);
    expect(part.filter((c) => c === 'slot granted lease-1')).toHaveLength(2);
    expect(part.indexOf('slot granted lease-1', 4)).toBeLessThan(
      part.indexOf('stop pa_connector_1'),
    );
    expect(f.group.ttlAsked).toEqual([10, 10]);
    // Once given back, never renewed again.
    await new Promise((r) => setTimeout(r, 20));
    expect(f.engine.calls.at(-1)).toBe('slot release lease-1');
    expect(f.group.ttlAsked).toHaveLength(2);
  });

  it('without the slot, this service still hands over to its successor, and says the connector waits', async () => {
    let selfId = '';
    const clock = steppingClock();
    const f = setup(
      {
        ...release,
        images: {
          ...release.images,
          update: { image: `${REG}/update:1.0.1`, digest: digest('7') },
        },
      },
      { clock, selfId: async () => selfId },
      true,
    );
    selfId = f.engine.addContainer(
      PROJECT,
      'update',
      'pa-connector/update:1.0.0.5',
      image('3', `${REG}/update`, digest('3')),
    );
    twoServices(f);
    f.engine.registry.set(`${REG}/update:1.0.1`, image('7', `${REG}/update`, digest('7')));
    f.group.slotAnswers.push({
      kind: 'failed',
      code: 'sse_unreachable',
      message: 'the connector answered 502 sse_unreachable: no answer from the cloud',
    });
    const out = await f.updater.check();
    expect(out.state).toBe('updating');
    expect(out.message).toBe(
      `handing over to the new update service (${REG}/update@${digest('7')}); connector not updated: could not take the group's update slot (the connector answered 502 sse_unreachable: no answer from the cloud); the next check tries again`,
    );
    expect(f.history.map((h) => h.service)).toEqual(['logging', 'update']);
    expect(f.engine.calls).not.toContain('stop pa_connector_1');
  });

  it('a stop ends the wait for the slot at once, and nothing more is replaced', async () => {
    const { f } = fixture();
    for (let i = 0; i < 200; i++) f.group.slotAnswers.push(TAKEN);
    const check = f.updater.check();
    while (!f.statuses.some((st) => st.state === 'waiting_for_slot')) {
      await new Promise((r) => setImmediate(r));
    }
    await f.updater.stop();
    await expect(check).resolves.toMatchObject({ state: 'waiting_for_slot' });
    expect(f.engine.calls.filter((c) => c === 'slot taken').length).toBeLessThan(5);
  });
});
