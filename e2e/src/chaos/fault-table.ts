import type { Fault } from './fault';
import { BASIC_FAULTS } from './faults';
import { CLOUD_FAULTS, cloudFaults } from './faults-cloud';
import { NETWORK_FAULTS } from './faults-network';
import { SERVICE_FAULTS } from './faults-services';

/** The fault table of the short form, in the order it runs. */
export const SHORT_FAULTS: readonly Fault[] = [
  ...BASIC_FAULTS,
  ...NETWORK_FAULTS,
  ...SERVICE_FAULTS,
  ...CLOUD_FAULTS,
];

/** The soak's table: the short one with the SSE faults held 60 s each, as the table says. */
export const SOAK_FAULTS: readonly Fault[] = [
  ...BASIC_FAULTS,
  ...NETWORK_FAULTS,
  ...SERVICE_FAULTS,
  ...cloudFaults(60_000),
];
