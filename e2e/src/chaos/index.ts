/**
 * The chaos harness: a steady user load through the gateway user ingress (short requests and
 * byte-checked echo streams), a watch of /ready, tunnel phases and the ingress's view, and a
 * runner that injects real faults one at a time and measures what users lost and how long the
 * stack took to converge. `pnpm test:chaos` runs the short table (e2e/chaos/chaos.test.ts).
 */

export type { FaultResult } from './fault-result';
export { SHORT_FAULTS, SOAK_FAULTS } from './fault-table';
export { LogLedger } from './log-lines';
export { LOG_LOAD, startLogLoad } from './log-load';
export { runChaos } from './runner';
export { chaosTable, unexcused, writeChaosResults } from './table';
