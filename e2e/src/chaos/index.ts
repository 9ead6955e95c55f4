/**
 * The chaos harness: a steady user load through the gateway user ingress (short requests and
 * byte-checked echo streams), a watch of /ready, tunnel phases and the ingress's view, and a
 * runner that injects real faults one at a time and measures what users lost and how long the
 * stack took to converge. `pnpm test:chaos` runs the short table (e2e/chaos/chaos.test.ts).
 */

export type { Fault, FaultContext } from './fault';
export type { FaultResult } from './fault-result';
export { SHORT_FAULTS, SOAK_FAULTS } from './fault-table';
export { cloudFaults } from './faults-cloud';
export { LogLedger, type LogLineCounts } from './log-lines';
export { LOG_LOAD, startLogLoad } from './log-load';
export type { Outcome } from './outcome';
export type { ReadyTruth } from './ready-truth';
export { type Resources, sampleResources } from './resources';
export { type ChaosOptions, runChaos } from './runner';
export { type StateWatch, type Transition, watchState } from './state-watch';
export { chaosTable, unexcused, writeChaosResults } from './table';
export { startUserLoad, type UserLoad, type UserLoadOptions } from './user-load';
