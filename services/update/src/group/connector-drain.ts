import { formatDuration } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';
import type { Clock } from '@pa-connector/service-runtime';
import type { DrainState } from '@pa-connector/sse-api/internal-api';
import type { GroupSlotApi } from './group-slot-api';
import { pause } from './update-slot';

export interface DrainDeps {
  api: Pick<GroupSlotApi, 'startDrain' | 'drainState' | 'endDrain'>;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  /** How long to wait for the open streams (PA_UPDATE_DRAIN_TIMEOUT). */
  timeoutMs: number;
  pollMs: number;
}

/** How the drain ended: undefined when it could not be started or followed. */
export type DrainOutcome = DrainState | undefined;

/**
 * Drains the connector before it is replaced: the cloud stops sending it new users, and the
 * streams it carries get up to `timeoutMs` to finish. A connector that cannot drain (an older
 * one without the route, or one that does not answer) is replaced anyway: its stop drains too.
 */
export async function drainConnector(d: DrainDeps): Promise<DrainOutcome> {
  const { clock, logger } = d;
  let state: DrainState;
  try {
    state = await d.api.startDrain();
  } catch (err) {
    logger.warn(
      { reason: (err as Error).message },
      'could not start the connector drain; replacing it anyway (it drains when stopped)',
    );
    return undefined;
  }
  logger.info(
    { openConnections: state.openConnections, timeout: formatDuration(d.timeoutMs) },
    'draining the connector before replacing it',
  );
  const started = clock.now();
  while (!state.drained && !d.signal.aborted) {
    const left = d.timeoutMs - (clock.now() - started);
    if (left <= 0) break;
    await pause(clock, Math.min(d.pollMs, left), d.signal);
    try {
      state = await d.api.drainState();
    } catch (err) {
      logger.warn(
        { reason: (err as Error).message },
        'could not follow the connector drain; replacing it now',
      );
      return undefined;
    }
  }
  if (state.drained) {
    logger.info('the connector is drained');
  } else {
    logger.warn(
      { openConnections: state.openConnections },
      `the connector still had open connections after ${formatDuration(d.timeoutMs)}; replacing it now`,
    );
  }
  return state;
}

/**
 * Takes a drained connector back into service when its replacement broke off before it was
 * stopped (the engine failed): otherwise it would go on refusing every user. One that was
 * stopped meanwhile does not answer, which is logged.
 */
export async function undrainConnector(d: Pick<DrainDeps, 'api' | 'logger'>): Promise<void> {
  try {
    await d.api.endDrain();
    d.logger.info('the connector was not replaced: took it back into service');
  } catch (err) {
    d.logger.warn(
      { reason: (err as Error).message },
      'could not take the connector back into service after its replacement broke off',
    );
  }
}
