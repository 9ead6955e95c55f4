import type { SecretValues } from '@pa-connector/logger';
import { type MemberBase, type MemberConfig, startMemberBase } from './member-base';
import { runService, type StartContext, type Started } from './run-service';
import { startTrialRun, type TrialProbe } from './trial-run';

export interface MemberServiceOptions<C extends MemberConfig> {
  service: string;
  /** Reads and checks the service's settings; a ConfigError ends the process (exit 78). */
  config: () => C;
  /** Registers the configuration's secret values with the log scrubber (Redis's is already). */
  secrets?: (config: C, values: SecretValues) => void;
  /** What a trial run (PA_TRIAL_RUN) checks besides Redis: what the real service would need. */
  trialProbes?: (config: C) => readonly TrialProbe[];
  /** Starts the service's own work on its member base (logger, registry, Redis, listen...). */
  start: (base: MemberBase, config: C, ctx: StartContext) => Promise<Started>;
}

/**
 * The one way a POP service's main starts: settings read and checked, then either the trial run
 * of a new image or the member base (logger with the service's secrets scrubbed, registry,
 * Redis, log shipping) handed to the service's own start, all under runService (signals,
 * permanent failures, exit codes).
 */
export function runMemberService<C extends MemberConfig>(
  o: MemberServiceOptions<C>,
): Promise<number> {
  return runService({
    service: o.service,
    start: async (ctx) => {
      const config = o.config();
      const secrets = (values: SecretValues) => o.secrets?.(config, values);
      if (config.trialRun) {
        return startTrialRun(o.service, config, {
          probes: o.trialProbes?.(config) ?? [],
          secrets,
        });
      }
      return o.start(startMemberBase(o.service, config, { secrets }), config, ctx);
    },
  });
}
