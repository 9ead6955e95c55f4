import { type Static, Type } from '@sinclair/typebox';

/** `GET /healthz`: the process is alive. */
export const HealthzAnswer = Type.Object({
  status: Type.Literal('alive'),
  service: Type.String(),
  version: Type.String(),
  uptimeSeconds: Type.Integer({ minimum: 0 }),
});
export type HealthzAnswer = Static<typeof HealthzAnswer>;

/** One readiness check as `/ready` reports it; `detail` is the check's own (any JSON). */
export const ReadinessCheckReport = Type.Object({
  ok: Type.Boolean(),
  detail: Type.Optional(Type.Unknown()),
});

/** `GET /ready`: 200 when every check passes, 503 with the same body otherwise. */
export const ReadyAnswer = Type.Object({
  service: Type.String(),
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), ReadinessCheckReport),
  /**
   * Only from a service that can drain (the connector): true while it takes no new work and
   * lets the open work finish. Absent means the service has no such state.
   */
  draining: Type.Optional(Type.Boolean()),
});
export type ReadyAnswer = Static<typeof ReadyAnswer>;
