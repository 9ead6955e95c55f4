import type { Logger, SecretValues } from '@pa-connector/logger';
import type { Registry } from '@pa-connector/metrics';
import { type MemberConfig, startMemberBase } from './member-base';
import { type ReadinessCheck, redisReadiness } from './readiness';
import type { Running } from './run-service';
import { createServiceServer } from './service-server';
import { PA_VERSION } from './version';

/** One thing the real service would need, checked once when the trial starts. */
export interface TrialProbe {
  name: string;
  /** Resolves with an optional detail when fine; rejects with the reason when not. */
  probe(logger: Logger): Promise<unknown>;
}

/**
 * The trial run of a new image (PA_TRIAL_RUN=true), started by the update service beside the
 * running container before it replaces it: the configuration was read (a bad one has already
 * ended the process), Redis and the service's own `probes` are checked, and /healthz, /ready and
 * /metrics answer so Docker's health check can judge the image. It does no work: no heartbeat,
 * no log shipping, nothing written to Redis, so the running container is undisturbed.
 */
export async function startTrialRun(
  service: string,
  config: MemberConfig,
  o: {
    probes?: readonly TrialProbe[];
    /** Registers the service's secret values, scrubbed from its lines (Redis's is already). */
    secrets?: (values: SecretValues) => void;
  } = {},
): Promise<{ running: Running; logger: Logger; registry: Registry }> {
  // The member base without log shipping: the trial's lines stay out of the POP's log stream.
  const { logger, registry, redis, shutdown } = startMemberBase(
    service,
    { ...config, logToRedis: false },
    o.secrets ? { secrets: o.secrets } : {},
  );
  const probes = o.probes ?? [];
  const results = new Map<string, { ok: boolean; detail?: unknown }>();
  for (const p of probes) {
    try {
      const detail = await p.probe(logger);
      results.set(p.name, detail === undefined ? { ok: true } : { ok: true, detail });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      results.set(p.name, { ok: false, detail: reason });
      logger.error({ check: p.name, reason }, 'trial run: check failed');
    }
  }
  const checks: ReadinessCheck[] = [
    redisReadiness(redis),
    ...probes.map((p) => ({
      name: p.name,
      check: () => results.get(p.name)?.ok ?? false,
      detail: () => results.get(p.name)?.detail,
    })),
  ];
  // Docker's health check asks /ready every few seconds: not worth a line each.
  const app = await createServiceServer({
    service,
    version: PA_VERSION,
    registry,
    checks,
    logger,
    quietRoutes: 'all',
  });
  try {
    await app.listen({ host: config.httpHost, port: config.httpPort });
  } catch (err) {
    await shutdown();
    throw err;
  }
  logger.info(
    { host: config.httpHost, port: config.httpPort, checks: Object.fromEntries(results) },
    'trial run: configuration read and dependencies checked; doing no work until stopped',
  );
  return {
    logger,
    registry,
    running: {
      async close() {
        await app.close();
        await shutdown();
      },
    },
  };
}
