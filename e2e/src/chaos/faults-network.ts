import type { Fault } from './fault';

/** Delay and a rate cap on the path to a gateway; a gateway reconnected again and again. */
export const NETWORK_FAULTS: readonly Fault[] = [];
