import type { Timers } from '@pa-connector/openvpn-manager-client';
import type { Clock, TimerHandle } from '@pa-connector/service-runtime';

export {
  AbortedError,
  type Clock,
  type Random,
  sleep,
  systemClock,
  type TimerHandle,
} from '@pa-connector/service-runtime';

/** The management client's timers on `clock`, so its deadlines follow the service's clock. */
export function managementTimers(clock: Clock): Timers {
  return {
    setTimeout: (fn, ms) => clock.setTimer(fn, ms),
    clearTimeout: (handle) => (handle as TimerHandle | undefined)?.cancel(),
  };
}
