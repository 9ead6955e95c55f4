import type { Logger } from '@pa-connector/logger';
import { type BackoffPolicy, backoffDelay } from '@pa-connector/service-runtime';
import { type Clock, type Random, sleep, type TimerHandle } from '../clock';
import type { TunnelView } from '../edge/tunnel-view';
import type { TunnelUsers } from './tunnel-users';

/** What the roll needs of a tunnel (see Tunnel). */
export interface RollingTunnel {
  readonly name: string;
  readonly view: TunnelView;
  /** The certificate its running openvpn started with; undefined while none runs. */
  readonly certificateInUse: string | undefined;
  /** Ends the running openvpn and starts it again at once with the current identity. */
  reload(reason: string): boolean;
}

export interface CertificateRollOptions {
  /** The tunnels now, in the order they are moved. */
  tunnels: () => readonly RollingTunnel[];
  /**
   * The certificate (PEM) every tunnel should run with: the identity's, read at each step
   * (undefined before there is an identity: nothing to do).
   */
  certificate: () => string | undefined;
  /** Whether users can come through a tunnel; drains one before its restart. */
  users: TunnelUsers;
  /** How long a restarted tunnel may take to carry users again before the roll pauses. */
  deadlineMs: number;
  /** Pause before trying again when the roll could not go on (capped, jittered, grows). */
  backoff: BackoffPolicy;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** How often a restarted tunnel is looked at while waiting for it (default 250 ms). */
  pollMs?: number;
}

export type RollOutcome = 'done' | 'paused' | 'stopped';

/**
 * Moves the running tunnels to a renewed certificate (openvpn reads it only when it starts)
 * one at a time, so users always have a tunnel: a tunnel that is up is restarted only while every
 * other tunnel is up (and, if it carries users, while every other one carries users too; it is
 * drained first), and the next one waits until it is back.
 * A tunnel that does not come back within the deadline pauses the roll (the others are left
 * alone) until a retry after backoff. A renewal during a roll joins it: each step compares the
 * tunnels with the certificate in use at that moment.
 */
export class CertificateRoll {
  readonly #o: CertificateRollOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  #running: Promise<RollOutcome> | undefined;
  #retry: TimerHandle | undefined;
  #pauses = 0;

  constructor(o: CertificateRollOptions) {
    this.#o = o;
    this.#log = o.logger;
  }

  /** Brings every tunnel to the current certificate; joins a roll in progress. */
  request(): Promise<RollOutcome> {
    if (this.#abort.signal.aborted) return Promise.resolve('stopped');
    if (this.#running) return this.#running;
    this.#retry?.cancel();
    this.#retry = undefined;
    this.#running = this.#roll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Ends a roll in progress at its next step and cancels any retry. */
  stop(): Promise<RollOutcome | undefined> {
    this.#abort.abort();
    this.#retry?.cancel();
    this.#retry = undefined;
    return this.#running ?? Promise.resolve(undefined);
  }

  async #roll(): Promise<RollOutcome> {
    const outcome = await this.#steps();
    if (outcome === 'paused') {
      this.#pauses++;
      const delayMs = backoffDelay(this.#pauses, this.#o.backoff, this.#o.random);
      this.#log.warn({ delayMs }, 'certificate roll paused; trying again after a delay');
      this.#retry = this.#o.clock.setTimer(() => {
        this.#retry = undefined;
        void this.request();
      }, delayMs);
    } else if (outcome === 'done') {
      this.#pauses = 0;
    }
    return outcome;
  }

  async #steps(): Promise<RollOutcome> {
    const { users } = this.#o;
    const up = (t: RollingTunnel) => t.view.phase === 'connected';
    const carrying = (t: RollingTunnel) => up(t) && users.carrying(t.view);
    for (;;) {
      if (this.#abort.signal.aborted) return 'stopped';
      const wanted = this.#o.certificate();
      if (wanted === undefined) return 'done';
      const tunnels = this.#o.tunnels();
      const outdated = tunnels.filter(
        (t) => t.certificateInUse !== undefined && t.certificateInUse !== wanted,
      );
      if (outdated.length === 0) return 'done';
      const others = (t: RollingTunnel) => tunnels.filter((o) => o !== t);
      // A tunnel that is down moves at once. One that is up moves only while all the others are
      // up, and one that carries users only while all the others carry users too.
      const idle = outdated.find((t) => !up(t));
      const next =
        idle ?? outdated.find((t) => others(t).every((o) => (carrying(t) ? carrying(o) : up(o))));
      if (!next) {
        this.#log.warn(
          {
            waiting: outdated.map((t) => t.name),
            down: tunnels.filter((t) => !carrying(t)).map((t) => t.name),
          },
          'renewed certificate not in use yet: restarting a tunnel now would leave users without one',
        );
        return 'paused';
      }
      const pid = next.view.pid;
      const old = next.certificateInUse;
      const serving = !idle && carrying(next);
      this.#log.info(
        { tunnel: next.name, pid, up: !idle, carrying: serving },
        'restarting tunnel with the renewed certificate',
      );
      const startedAt = this.#o.clock.now();
      if (serving) {
        // New users go to the other tunnels and the open connections finish first.
        await users.drain(next.view);
        if (this.#abort.signal.aborted || !others(next).every(carrying)) {
          users.undrain(next.view);
          if (this.#abort.signal.aborted) return 'stopped';
          this.#log.warn(
            { tunnel: next.name },
            'another tunnel stopped carrying users while this one drained; not restarting it now',
          );
          return 'paused';
        }
      }
      const reloaded = next.reload('restarting with the renewed certificate');
      if (!reloaded && serving) users.undrain(next.view);
      // Down: only wait until its old openvpn is gone (it starts again on its own). Up: wait
      // until it is back (carrying users, if it did) before touching another.
      const back = await this.#waitFor(
        next,
        reloaded && !idle
          ? () =>
              next.view.pid !== undefined &&
              next.view.pid !== pid &&
              (serving ? carrying(next) : up(next))
          : () => next.certificateInUse !== old,
      );
      if (this.#abort.signal.aborted) return 'stopped';
      if (!back) {
        this.#log.warn(
          { tunnel: next.name, deadlineMs: this.#o.deadlineMs },
          'tunnel not back within the deadline; the other tunnels are left alone',
        );
        return 'paused';
      }
      if (reloaded && !idle) {
        this.#log.info(
          { tunnel: next.name, pid: next.view.pid, tookMs: this.#o.clock.now() - startedAt },
          'tunnel back with the renewed certificate',
        );
      }
    }
  }

  /** Waits until `done()` holds (or `t` is no longer a tunnel of ours); false at the deadline. */
  async #waitFor(t: RollingTunnel, done: () => boolean): Promise<boolean> {
    const { clock } = this.#o;
    const deadline = clock.now() + this.#o.deadlineMs;
    for (;;) {
      // A tunnel replaced meanwhile (another gateway list) is no longer this roll's concern.
      if (!this.#o.tunnels().includes(t) || done()) return true;
      if (clock.now() >= deadline) return false;
      try {
        await sleep(clock, this.#o.pollMs ?? 250, this.#abort.signal);
      } catch {
        return false;
      }
    }
  }
}
