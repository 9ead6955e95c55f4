import type { PopManagerStatus } from '@pa-connector/redis-contracts';

export type { PopManagerStatus, PushState } from '@pa-connector/redis-contracts';

/** The status as collected, before the push state is attached. */
export type CollectedStatus = Omit<PopManagerStatus, 'push'>;
