import { type Static, Type } from '@sinclair/typebox';
import { jsonDecoder } from './json-decoder';

/** Up: every server answers; Unhealthy: some do; Down: none does (or no probe has passed yet). */
export const APP_STATUSES = ['up', 'unhealthy', 'down'] as const;
export const AppStatus = Type.Union(APP_STATUSES.map((s) => Type.Literal(s)));
export type AppStatus = (typeof APP_STATUSES)[number];

export const ServerHealth = Type.Object({
  /** host:port as in the catalog (IPv6 hosts in brackets). */
  server: Type.String(),
  up: Type.Boolean(),
  /** ISO time of the latest probe. */
  checkedAt: Type.String(),
  /** Consecutive failed probes. */
  failures: Type.Number(),
  latencyMs: Type.Optional(Type.Number()),
  /** Why the latest probe failed (one line). */
  error: Type.Optional(Type.String()),
});
export type ServerHealth = Static<typeof ServerHealth>;

/** One app, as stored (JSON) under its id in the `appHealth()` hash. */
export const AppHealth = Type.Object({
  appId: Type.String(),
  status: AppStatus,
  /** ISO time the status last changed. */
  since: Type.String(),
  servers: Type.Array(ServerHealth),
});
export type AppHealth = Static<typeof AppHealth>;

export function encodeAppHealth(a: AppHealth): string {
  return JSON.stringify(a);
}

/** Undefined when the text is not an app health entry. */
export const decodeAppHealth: (text: string) => AppHealth | undefined = jsonDecoder(AppHealth);
