import { formatDuration } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';
import type { Clock, TimerHandle } from '@pa-connector/service-runtime';
import type {
  PopServiceName,
  ReleaseImage,
  ReleaseManifest,
} from '@pa-connector/sse-api/internal-api';
import type { DockerEngine, ServiceContainer } from '../engine/docker-engine';
import { hasDigest, pinnedRef } from '../engine/image-ref';
import { drainConnector, undrainConnector } from '../group/connector-drain';
import type { GroupSlotApi } from '../group/group-slot-api';
import { type SlotSettings, takeSlot } from '../group/update-slot';
import type { ReleaseSource } from '../release/release-source';
import { compareVersions } from '../release/version-order';
import { inWindow, msUntilWindow, type UpdateWindow } from '../schedule/update-window';
import type {
  HistoryResult,
  UpdateState,
  UpdateStatus,
  UpdateStatusStore,
} from '../status/update-status';
import { UpdateError } from '../update-error';
import {
  ASIDE_SUFFIX,
  type ReplaceOptions,
  type ReplaceResult,
  replaceContainer,
  startReplacement,
} from './replace-container';
import { runTrial, TRIAL_SUFFIX } from './trial-container';
import type { UpdateMetrics } from './update-metrics';

/**
 * The order services are replaced in: the ones users do not depend on first, the connector after
 * them, this service last (it hands over to its successor).
 */
const ROLLOUT_ORDER: readonly PopServiceName[] = ['logging', 'pop-manager', 'connector', 'update'];

export interface UpdaterOptions {
  engine: DockerEngine;
  release: Pick<ReleaseSource, 'fetch'>;
  status: Pick<UpdateStatusStore, 'set' | 'record'>;
  metrics?: UpdateMetrics;
  clock: Clock;
  logger: Logger;
  /** The POP's version: this service's own. */
  version: string;
  /** The compose project whose containers are the POP's (undefined: cannot tell). */
  project: () => Promise<string | undefined>;
  /** This service's own container id, when it runs in one. */
  selfId: () => Promise<string | undefined>;
  /** False: only check and report what is available. */
  auto: boolean;
  window?: UpdateWindow;
  intervalMs: number;
  initialDelayMs: number;
  replace: Omit<ReplaceOptions, 'engine' | 'clock' | 'logger'>;
  /**
   * The connector is replaced only while this POP holds its group's update slot, and drained
   * first: connectors of one group never update at the same time, and users move to the others.
   */
  group: {
    api: Pick<GroupSlotApi, 'takeSlot' | 'releaseSlot' | 'startDrain' | 'drainState' | 'endDrain'>;
    slot: SlotSettings;
    drainTimeoutMs: number;
  };
}

/** The connector was left as it was this time (no slot): the rest of the release went on. */
interface Deferred {
  state: UpdateState;
  message: string;
  lastError: string;
}

interface Pending {
  service: PopServiceName;
  container: ServiceContainer;
  target: ReleaseImage;
  /** Version of the release, for the history. */
  from: string;
}

/** What one check ended in. */
export interface CheckOutcome {
  state: UpdateState;
  message: string;
}

/**
 * The update job: reads the release manifest, compares it with the containers the POP runs,
 * pulls and verifies every new image first, then replaces one service at a time behind a health
 * gate, stopping at the first rollback. A failed pull or a wrong digest changes nothing.
 */
export class Updater {
  readonly #o: UpdaterOptions;
  #running: Promise<CheckOutcome> | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  /** Ends a wait for the update slot or a drain when the service stops. */
  readonly #stopping = new AbortController();
  #nextCheckAt: number | undefined;
  #available: string | undefined;
  #minAuto: string | undefined;

  constructor(o: UpdaterOptions) {
    this.#o = o;
  }

  /** Schedules the first check after the initial delay, then one every interval. */
  start(): void {
    this.#schedule(this.#o.initialDelayMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    this.#timer?.cancel();
    await this.#running?.catch(() => undefined);
  }

  /** Runs a check now, or joins the one under way. */
  check(): Promise<CheckOutcome> {
    if (!this.#running) {
      this.#running = this.#check().finally(() => {
        this.#running = undefined;
      });
    }
    return this.#running;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer?.cancel();
    this.#nextCheckAt = this.#o.clock.now() + ms;
    this.#timer = this.#o.clock.setTimer(() => {
      void this.check().then((outcome) => {
        const wait =
          outcome.state === 'waiting-for-window'
            ? Math.min(
                this.#o.intervalMs,
                msUntilWindow(this.#o.window, new Date(this.#o.clock.now())),
              )
            : this.#o.intervalMs;
        this.#schedule(wait);
      });
    }, ms);
  }

  async #report(
    state: UpdateState,
    message: string,
    extra: Partial<UpdateStatus> = {},
  ): Promise<CheckOutcome> {
    const status: UpdateStatus = {
      state,
      running: this.#o.version,
      message,
      checkedAt: new Date(this.#o.clock.now()).toISOString(),
      ...(this.#available ? { available: this.#available } : {}),
      ...(this.#minAuto ? { minAutoUpgradeVersion: this.#minAuto } : {}),
      ...(this.#o.window ? { window: `${this.#o.window.text} UTC` } : {}),
      ...(this.#nextCheckAt ? { nextCheckAt: new Date(this.#nextCheckAt).toISOString() } : {}),
      ...extra,
    };
    try {
      await this.#o.status.set(status);
    } catch (err) {
      this.#o.logger.warn(
        { reason: (err as Error).message },
        'could not write the update status to Redis',
      );
    }
    return { state, message };
  }

  async #check(): Promise<CheckOutcome> {
    const { logger } = this.#o;
    let outcome: CheckOutcome;
    try {
      await this.#report('checking', 'reading the release manifest');
      outcome = await this.#run();
    } catch (err) {
      const e =
        err instanceof UpdateError ? err : new UpdateError('failed', (err as Error).message);
      logger.warn({ code: e.code, reason: e.message }, 'update check failed');
      outcome = await this.#report('failed', e.message, { lastError: e.code });
    }
    this.#o.metrics?.check(outcome.state);
    return outcome;
  }

  async #run(): Promise<CheckOutcome> {
    const { engine, logger, version } = this.#o;
    const manifest = await this.#o.release.fetch();
    this.#available = manifest?.version;
    this.#minAuto = manifest?.minAutoUpgradeVersion;
    if (!manifest) {
      return this.#report('no-release', 'no release is published');
    }
    if (manifest.minAutoUpgradeVersion) {
      let below: boolean;
      try {
        below = compareVersions(version, manifest.minAutoUpgradeVersion) < 0;
      } catch (err) {
        throw new UpdateError('bad_version', (err as Error).message, false);
      }
      if (below) {
        const message = `manual upgrade required: this POP runs ${version}; release ${manifest.version} upgrades automatically only from ${manifest.minAutoUpgradeVersion} on. Install the new bundle with infra.sh.`;
        logger.warn({ running: version, available: manifest.version }, message);
        return this.#report('manual-upgrade-required', message);
      }
    }

    const project = await this.#o.project();
    if (!project) {
      throw new UpdateError(
        'no_project',
        "cannot tell which containers are the POP's: not running in a compose container, and PA_COMPOSE_PROJECT is not set",
        false,
      );
    }
    const pending = await this.#plan(manifest, await engine.listContainers(project));
    if (pending.length === 0) {
      return this.#report('up-to-date', `every service runs release ${manifest.version}`);
    }
    const names = pending.map((p) => p.service).join(', ');
    if (!this.#o.auto) {
      return this.#report(
        'update-available',
        `release ${manifest.version} is available for ${names} (automatic update is off)`,
      );
    }
    if (!inWindow(this.#o.window, new Date(this.#o.clock.now()))) {
      return this.#report(
        'waiting-for-window',
        `release ${manifest.version} is available for ${names}; waiting for the update window`,
      );
    }

    // Every image first: a pull that fails, or an image that is not what the manifest says,
    // leaves every container as it was.
    for (const p of pending) {
      await this.#report('pulling', `pulling ${p.target.image}`, { service: p.service });
      try {
        await engine.pull(p.target.image);
      } catch (err) {
        throw new UpdateError(
          'pull_failed',
          `${p.service}: ${(err as Error).message}; nothing was changed`,
        );
      }
      const digests = await engine.imageDigests(p.target.image);
      if (!digests || !hasDigest(digests, p.target.image, p.target.digest)) {
        const message = `${p.service}: ${p.target.image} has digest ${digests?.join(', ') || 'none'}, not ${p.target.digest} as the release says; refused, nothing was changed`;
        await this.#record(p, manifest, 'refused', message);
        throw new UpdateError('digest_mismatch', message, false);
      }
    }

    const self = await this.#o.selfId();
    const replace = { ...this.#o.replace, engine, clock: this.#o.clock, logger };
    let deferred: Deferred | undefined;
    for (const p of pending) {
      const ref = pinnedRef(p.target.image, p.target.digest);
      // The new image proves itself beside the running container before that one is touched.
      await this.#report('trying', `trying ${ref} for ${p.service} beside the running container`, {
        service: p.service,
      });
      const trial = await runTrial(replace, p.container, ref);
      if (!trial.ok) {
        const message = `${p.service}: the new image failed its trial run (${trial.reason}); the running container was not touched`;
        logger.error({ service: p.service, reason: trial.reason, output: trial.output }, message);
        await this.#record(p, manifest, 'trial-failed', message);
        return this.#report('trial-failed', message, { lastError: 'trial_failed' });
      }
      if (self && p.container.id.startsWith(self)) {
        return this.#handOver(p, manifest, ref, deferred);
      }
      let r: ReplaceResult;
      if (p.service === 'connector') {
        const c = await this.#replaceConnector(p, manifest, ref, replace);
        if ('lastError' in c) {
          deferred = c;
          // A stop ends the wait for the slot; nothing more is replaced then.
          if (this.#stopped) break;
          continue;
        }
        r = c;
      } else {
        r = await this.#replace(p, manifest, ref, replace);
      }
      if (r.ok) {
        await this.#record(p, manifest, 'updated', `${p.service} runs ${ref}`);
        logger.info({ service: p.service, version: manifest.version }, 'service updated');
        continue;
      }
      const message = r.restored
        ? `${p.service}: the new container was not healthy (${r.reason}); rolled back to the previous image, which runs again`
        : `${p.service}: the new container was not healthy (${r.reason}) and the previous one could not be restored (${r.restoreError}): restore it by hand`;
      logger.error({ service: p.service, reason: r.reason, output: r.output }, message);
      await this.#record(p, manifest, r.restored ? 'rolled-back' : 'failed', message);
      return this.#report(r.restored ? 'rolled-back' : 'failed', message, {
        lastError: r.restored ? 'unhealthy' : 'restore_failed',
      });
    }
    if (deferred) {
      return this.#report(deferred.state, `release ${manifest.version}: ${deferred.message}`, {
        lastError: deferred.lastError,
      });
    }
    return this.#report('updated', `every service runs release ${manifest.version}`);
  }

  async #replace(
    p: Pending,
    manifest: ReleaseManifest,
    ref: string,
    replace: ReplaceOptions,
  ): Promise<ReplaceResult> {
    await this.#report('updating', `replacing ${p.service} with ${ref}`, { service: p.service });
    this.#o.logger.info(
      { service: p.service, image: ref, version: manifest.version },
      'replacing service container',
    );
    return replaceContainer(replace, p.container, ref);
  }

  /**
   * The connector: the group's update slot first (waiting while another connector of the group
   * holds it), then its drain, then the replacement; the slot is given back however that ends.
   * Without the slot the connector is left as it is until the next check.
   */
  async #replaceConnector(
    p: Pending,
    manifest: ReleaseManifest,
    ref: string,
    replace: ReplaceOptions,
  ): Promise<ReplaceResult | Deferred> {
    const { clock, logger, group } = this.#o;
    const deps = { api: group.api, clock, logger, signal: this.#stopping.signal };
    const got = await takeSlot(deps, group.slot, (a) =>
      this.#report(
        'waiting_for_slot',
        `${p.service}: waiting for the group's update slot (${a.holder && a.until ? `held by ${a.holder} until ${a.until}` : a.message}); asking again every ${formatDuration(group.slot.retryMs)} for at most ${formatDuration(group.slot.waitMs)}`,
        { service: p.service },
      ).then(() => undefined),
    );
    if (!got.ok) {
      const message = got.taken
        ? `${p.service} not updated: another connector of the group still held the update slot after ${formatDuration(group.slot.waitMs)} (${got.message}); the next check tries again`
        : `${p.service} not updated: could not take the group's update slot (${got.message}); the next check tries again`;
      logger.warn({ service: p.service, code: got.code }, message);
      return { state: got.taken ? 'waiting_for_slot' : 'failed', message, lastError: got.code };
    }
    try {
      await this.#report('updating', `draining ${p.service} before replacing it`, {
        service: p.service,
      });
      await drainConnector({ ...deps, timeoutMs: group.drainTimeoutMs, pollMs: replace.pollMs });
      try {
        return await this.#replace(p, manifest, ref, replace);
      } catch (err) {
        await undrainConnector(deps);
        throw err;
      }
    } finally {
      // The new connector (or the old one, back after a rollback) has the same identity.
      await got.lease.release();
    }
  }

  /** The services whose running image is not the release's, in rollout order. */
  async #plan(manifest: ReleaseManifest, containers: ServiceContainer[]): Promise<Pending[]> {
    const pending: Pending[] = [];
    for (const service of ROLLOUT_ORDER) {
      const target = manifest.images[service];
      if (!target) continue;
      // A trial container left by an interrupted check is not the service: the next trial removes it.
      const mine = containers.filter(
        (c) => c.service === service && !c.name.endsWith(TRIAL_SUFFIX),
      );
      // Set aside by an update that was cut short: it may be the good one. A person decides.
      const leftover = mine.find((c) => c.name.endsWith(ASIDE_SUFFIX));
      if (leftover) {
        throw new UpdateError(
          'leftover_container',
          `${service}: container ${leftover.name} was set aside by an update that did not finish; remove it (docker rm) or put it back in place of the other one, then the update goes on`,
          false,
        );
      }
      const container =
        mine.find((c) => !c.name.endsWith(ASIDE_SUFFIX) && c.state === 'running') ??
        mine.find((c) => !c.name.endsWith(ASIDE_SUFFIX));
      if (!container) {
        this.#o.logger.warn(
          { service },
          'the release names a service this POP has no container of',
        );
        continue;
      }
      const digests = (await this.#o.engine.imageDigests(container.imageId)) ?? [];
      if (!hasDigest(digests, target.image, target.digest)) {
        pending.push({ service, container, target, from: container.imageRef });
      }
    }
    return pending;
  }

  /**
   * This service's own container: the successor is created and started, and this one stops
   * itself (set aside under `<name>-pa-previous`; the successor removes it once it runs).
   */
  async #handOver(
    p: Pending,
    manifest: ReleaseManifest,
    ref: string,
    deferred: Deferred | undefined,
  ): Promise<CheckOutcome> {
    const { engine } = this.#o;
    const old = await engine.inspectContainer(p.container.id);
    const name = old.Name.replace(/^\//, '');
    const oldImage = await engine.inspectImage(old.Image);
    await engine.rename(old.Id, `${name}${ASIDE_SUFFIX}`);
    try {
      await startReplacement(engine, old, oldImage, name, ref);
    } catch (err) {
      await engine.remove(name).catch(() => undefined);
      await engine.rename(old.Id, name).catch(() => undefined);
      const message = `update: could not start its successor (${(err as Error).message}); still running the previous image`;
      await this.#record(p, manifest, 'rolled-back', message);
      return this.#report('rolled-back', message, { lastError: 'handover_failed' });
    }
    await this.#record(p, manifest, 'updated', `update hands over to ${ref}`);
    const outcome = await this.#report(
      'updating',
      `handing over to the new update service (${ref})${deferred ? `; ${deferred.message}` : ''}`,
      {
        service: 'update',
      },
    );
    this.#o.logger.info({ image: ref }, 'handing over to the new update service; stopping');
    // Not awaited: the engine's stop ends this very process (SIGTERM), whose shutdown waits for
    // this check to finish.
    engine
      .stop(old.Id, this.#o.replace.stopTimeoutSeconds)
      .catch((err: Error) =>
        this.#o.logger.error(
          { reason: err.message },
          'could not stop this container after the hand-over',
        ),
      );
    return outcome;
  }

  async #record(
    p: Pending,
    manifest: ReleaseManifest,
    result: HistoryResult,
    message: string,
  ): Promise<void> {
    this.#o.metrics?.service(p.service, result);
    try {
      await this.#o.status.record({
        at: new Date(this.#o.clock.now()).toISOString(),
        service: p.service,
        from: p.from,
        to: pinnedRef(p.target.image, p.target.digest),
        version: manifest.version,
        result,
        message,
      });
    } catch (err) {
      this.#o.logger.warn(
        { reason: (err as Error).message },
        'could not write the update history to Redis',
      );
    }
  }

  /**
   * After a hand-over: the predecessor set aside under `<name>-pa-previous` is removed once this
   * service runs. Nothing to do otherwise.
   */
  async finishHandOver(): Promise<void> {
    const self = await this.#o.selfId();
    const project = await this.#o.project();
    if (!self || !project) return;
    const mine = await this.#o.engine.listContainers(project);
    const me = mine.find((c) => c.id.startsWith(self));
    if (!me) return;
    const previous = mine.find((c) => c.name === `${me.name}${ASIDE_SUFFIX}`);
    if (!previous) return;
    await this.#o.engine.remove(previous.id);
    this.#o.logger.info(
      { container: previous.name },
      'removed the update service this one replaced',
    );
  }
}
