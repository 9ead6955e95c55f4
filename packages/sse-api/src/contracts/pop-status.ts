import { type Static, Type } from '@sinclair/typebox';

/**
 * The POP status report pop-manager pushes to the SSE (through the connector). Only
 * `hostname` and `reportedAt` are required; the rest (services, tunnels, apps, host metrics)
 * is pop-manager's to shape, and the SSE stores it as given.
 */
export const PopStatusReport = Type.Object(
  { hostname: Type.String(), reportedAt: Type.String() },
  { additionalProperties: true },
);
export type PopStatusReport = Static<typeof PopStatusReport> & { [field: string]: unknown };
