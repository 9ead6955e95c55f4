import { formatDuration } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';
import type { Clock, TimerHandle } from '@pa-connector/service-runtime';
import { UPDATE_SLOT_TAKEN, type UpdateSlotGrant } from '@pa-connector/sse-api/internal-api';
import type { GroupSlotApi, SlotAnswer } from './group-slot-api';

/** How the update service asks for the group's update slot (PA_UPDATE_SLOT_*). */
export interface SlotSettings {
  /** The lease asked for; renewed when half of it has passed. */
  ttlMs: number;
  /** Pause between two requests while another connector holds the slot. */
  retryMs: number;
  /** How long one check waits for the slot before it gives up until the next check. */
  waitMs: number;
}

export interface SlotDeps {
  api: Pick<GroupSlotApi, 'takeSlot' | 'releaseSlot'>;
  clock: Clock;
  logger: Logger;
  /** Aborted when the service stops: a wait ends there. */
  signal: AbortSignal;
}

export type SlotTaken =
  | { ok: true; lease: SlotLease }
  | {
      ok: false;
      /** True when another connector held it for the whole wait. */
      taken: boolean;
      code: string;
      message: string;
    };

/** Resolves after `ms` on the clock, or at once when `signal` aborts. */
export function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      timer.cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimer(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const ttlSeconds = (s: SlotSettings) => Math.floor(s.ttlMs / 1000);

/**
 * Asks for the group's update slot until it is granted, another failure answers, or `waitMs`
 * has passed with another connector holding it. `onWaiting` hears of each new holder or expiry.
 */
export async function takeSlot(
  d: SlotDeps,
  s: SlotSettings,
  onWaiting: (answer: Extract<SlotAnswer, { kind: 'taken' }>) => Promise<void>,
): Promise<SlotTaken> {
  const started = d.clock.now();
  let lastSeen: string | undefined;
  for (;;) {
    const a = await d.api.takeSlot(ttlSeconds(s));
    if (a.kind === 'granted') {
      d.logger.info(
        { leaseId: a.grant.leaseId, expiresAt: a.grant.expiresAt },
        "took the group's update slot",
      );
      return { ok: true, lease: new SlotLease(d, s, a.grant) };
    }
    if (a.kind === 'failed') return { ok: false, taken: false, code: a.code, message: a.message };
    const waited = d.clock.now() - started;
    if (waited >= s.waitMs || d.signal.aborted) {
      return { ok: false, taken: true, code: UPDATE_SLOT_TAKEN, message: a.message };
    }
    // One line per holder and expiry, not one per retry.
    if (a.message !== lastSeen) {
      lastSeen = a.message;
      d.logger.info(
        { holder: a.holder, until: a.until, retry: formatDuration(s.retryMs) },
        "waiting for the group's update slot: another connector of the group is updating",
      );
      await onWaiting(a);
    }
    await pause(d.clock, Math.min(s.retryMs, s.waitMs - waited), d.signal);
  }
}

/**
 * A granted slot: renewed (asked for again, same lease) each time half its ttl has passed, until
 * it is released.
 */
export class SlotLease {
  readonly #d: SlotDeps;
  readonly #s: SlotSettings;
  #grant: UpdateSlotGrant;
  #timer: TimerHandle | undefined;
  #renewing: Promise<void> | undefined;
  #released = false;

  constructor(d: SlotDeps, s: SlotSettings, grant: UpdateSlotGrant) {
    this.#d = d;
    this.#s = s;
    this.#grant = grant;
    this.#arm(s.ttlMs / 2);
  }

  get grant(): UpdateSlotGrant {
    return this.#grant;
  }

  #arm(ms: number): void {
    this.#timer = this.#d.clock.setTimer(() => {
      this.#renewing = this.#renew();
    }, ms);
  }

  async #renew(): Promise<void> {
    const { logger } = this.#d;
    const a: SlotAnswer = await this.#d.api
      .takeSlot(ttlSeconds(this.#s))
      .catch((err: Error) => ({ kind: 'failed', code: 'failed', message: err.message }));
    if (this.#released) return;
    if (a.kind === 'granted') {
      if (a.grant.leaseId !== this.#grant.leaseId) {
        logger.warn(
          { leaseId: a.grant.leaseId, previous: this.#grant.leaseId },
          "the group's update slot had expired before it was renewed; it was taken again",
        );
      }
      this.#grant = a.grant;
      logger.debug({ expiresAt: a.grant.expiresAt }, "renewed the group's update slot");
      this.#arm(this.#s.ttlMs / 2);
      return;
    }
    logger.warn(
      {
        reason: a.message,
        expiresAt: this.#grant.expiresAt,
        retry: formatDuration(this.#s.retryMs),
      },
      "could not renew the group's update slot; trying again",
    );
    this.#arm(this.#s.retryMs);
  }

  /**
   * Gives the slot back (no more renewals). A release that fails is logged: the lease then ends
   * at its expiry.
   */
  async release(): Promise<void> {
    this.#released = true;
    this.#timer?.cancel();
    // A renewal in flight must not take the slot again after it was given back.
    await this.#renewing;
    const { leaseId, expiresAt } = this.#grant;
    try {
      const released = await this.#d.api.releaseSlot(leaseId);
      this.#d.logger.info({ leaseId, released }, "gave the group's update slot back");
    } catch (err) {
      this.#d.logger.warn(
        { leaseId, reason: (err as Error).message, expiresAt },
        "could not give the group's update slot back; it expires on its own",
      );
    }
  }
}
