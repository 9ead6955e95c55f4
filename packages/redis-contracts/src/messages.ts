import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { jsonDecoder } from './json-decoder';
import { CHANGE_TOPICS } from './keys';

export const HEARTBEAT_STATUSES = ['starting', 'ready', 'not-ready', 'stopping'] as const;
export const HeartbeatStatus = Type.Union(HEARTBEAT_STATUSES.map((s) => Type.Literal(s)));

/** A heartbeat, as the reader gets it. */
export const Heartbeat = Type.Object({
  service: Type.String(),
  version: Type.String(),
  /** ISO time the process started. */
  started: Type.String(),
  /** ISO time of this beat. */
  updated: Type.String(),
  status: HeartbeatStatus,
  pid: Type.Number(),
  host: Type.String(),
});
export type Heartbeat = Static<typeof Heartbeat>;

const Given = Type.String({ minLength: 1 });

/** The `heartbeat(service)` hash as Redis holds it: every field a string. */
export const HeartbeatHash = Type.Object({
  service: Given,
  version: Given,
  started: Given,
  updated: Given,
  status: HeartbeatStatus,
  pid: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
});
export type HeartbeatHash = Static<typeof HeartbeatHash>;

const heartbeatHash = TypeCompiler.Compile(HeartbeatHash);

export function encodeHeartbeat(h: Heartbeat): HeartbeatHash {
  return {
    service: h.service,
    version: h.version,
    started: h.started,
    updated: h.updated,
    status: h.status,
    pid: String(h.pid),
    host: h.host,
  };
}

/** Undefined when the hash is empty or not a heartbeat. */
export function decodeHeartbeat(hash: Record<string, string>): Heartbeat | undefined {
  if (!heartbeatHash.Check(hash)) return undefined;
  const { service, version, started, updated, status, pid, host } = hash;
  return { service, version, started, updated, status, pid: Number(pid ?? 0), host: host ?? '' };
}

const ChangeTopic = Type.Union(CHANGE_TOPICS.map((t) => Type.Literal(t)));

/** What a change announcement carries; the state itself is read from the key. */
export const ChangeMessage = Type.Object({
  topic: ChangeTopic,
  /** Which entry changed (tunnel name, app id, service), when it is one. */
  id: Type.Optional(Type.String()),
  at: Type.String(),
});
export type ChangeMessage = Static<typeof ChangeMessage>;

export function encodeChange(m: ChangeMessage): string {
  return JSON.stringify(m);
}

/** Undefined when the text is not a change announcement. */
export const decodeChange: (text: string) => ChangeMessage | undefined = jsonDecoder(ChangeMessage);

/** An app the connector could not take, and why. */
export const RejectedApp = Type.Object({
  index: Type.Integer({ minimum: 0 }),
  id: Type.Optional(Type.String()),
  reason: Type.String(),
});

/** The validated catalog the connector publishes under `catalog()`, with its kind of app. */
export const CatalogSnapshotOf = <App extends TSchema>(app: App) =>
  Type.Object({
    version: Type.String(),
    syncedAt: Type.String(),
    apps: Type.Array(app),
    rejected: Type.Array(RejectedApp),
  });

/** A catalog snapshot as any reader takes it: each app is checked where it is used. */
export const CatalogSnapshot = CatalogSnapshotOf(Type.Unknown());
export type CatalogSnapshot<App = unknown> = Omit<Static<typeof CatalogSnapshot>, 'apps'> & {
  apps: App[];
};

/** Undefined when the text is not a catalog snapshot. */
export const decodeCatalogSnapshot: (text: string) => CatalogSnapshot | undefined =
  jsonDecoder(CatalogSnapshot);
