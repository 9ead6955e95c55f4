export type { Clock, RandomBytes } from './clock';
export { parseDurationSeconds } from './config/durations';
export {
  DEFAULT_REGIONS,
  parseRegionSpec,
  type RegionConfig,
  regionConfig,
} from './config/regions';
export {
  buildEmulator,
  DEFAULT_CERT_LIFETIME_SECONDS,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  type Emulator,
  type EmulatorDeps,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator,
} from './emulator';
export { EmulatorError } from './errors';
export {
  type FaultMode,
  type FaultSpec,
  FaultTable,
  type FaultTarget,
  type MalformedVariant,
} from './faults/fault-table';
export { EmulatorState } from './state/emulator-state';
export { type CertificateIssuer, caIssuer } from './state/issuer';
export type {
  ConnectorRecord,
  GroupRecord,
  ProvisioningKeyRecord,
  StateData,
} from './state/model';
