import type { Fault } from './fault';

/** The SSE down, slow, failing and answering garbage; the connector stopped and crashed. */
export const CLOUD_FAULTS: readonly Fault[] = [];
