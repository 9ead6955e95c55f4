import type { ReadinessCheck } from '@pa-connector/service-runtime';
import type { IdentitySummary } from './identity/identity';

export type Phase = 'starting' | 'enrolling' | 'enrolled' | 'stopping';

/** What the control plane knows about itself; readiness and heartbeat status are read from it. */
export class ConnectorState {
  phase: Phase = 'starting';
  identity: IdentitySummary | undefined;
  /** Changes whenever the client certificate does. */
  generation = 0;
}

/** Ready needs an identity (enrolled now or loaded from disk). */
export function enrolledCheck(state: ConnectorState): ReadinessCheck {
  return {
    name: 'enrolled',
    check: () => state.identity !== undefined && state.phase === 'enrolled',
    detail: () =>
      state.identity
        ? {
            phase: state.phase,
            connectorId: state.identity.connectorId,
            certificateExpiresAt: state.identity.certificateExpiresAt,
          }
        : { phase: state.phase },
  };
}
