import type { Fault } from './fault';

/** Redis restarted and hung, the logging service killed, the log directory full. */
export const SERVICE_FAULTS: readonly Fault[] = [];
