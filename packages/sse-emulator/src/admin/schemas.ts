import {
  CatalogApp,
  GroupConnectorState,
  NoBody,
  Nullable,
  ReleaseImage,
  ReleaseManifest,
  SSE_ENDPOINTS,
  SseErrorBody,
  UpdateSlotHolder,
} from '@pa-connector/sse-api';
import { type TSchema, Type } from '@sinclair/typebox';
import {
  FAULT_MODES,
  type FaultTarget,
  MALFORMED_VARIANTS,
  MALICIOUS_VARIANTS,
  MARKER_PATH,
} from '../faults/fault-table';

/** The admin API's contracts: what each route takes and answers. */

const errors = { '4xx': SseErrorBody, '5xx': SseErrorBody } as const;
/** A success answer plus the one error shape. */
export const answers = <S extends Record<number, TSchema>>(ok: S) => ({ ...ok, ...errors });

const oneOf = <T extends string>(values: readonly T[], what: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description: `one of ${values.join(', ')}${what ? ` (${what})` : ''}` },
  );

export const IdParams = Type.Object({ id: Type.String() });
export const NameParams = Type.Object({ name: Type.String() });

// Groups and their catalogs.

export const GroupRequest = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '\\S',
      description: 'a non-empty string of at most 100 characters',
    }),
    region: Type.Optional(Type.String()),
    customerId: Type.Optional(
      Type.String({ description: "the tenant's id (default: the emulator's own tenant)" }),
    ),
    maxConnectors: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'an integer >= 1: how many connectors the group key enrolls (default 1)',
      }),
    ),
  },
  { description: 'a JSON object like {"name":"branch-office","maxConnectors":2}' },
);

/** Catalog entries are stored as given (tests publish bad ones on purpose): only "a list". */
export const AppsRequest = Type.Array(Type.Unknown(), {
  description: 'a JSON array of app objects',
});

/** `{"app": {...}}` or the app object itself, stored as given. */
export const AppRequest = Type.Record(Type.String(), Type.Unknown(), {
  description: 'a JSON object like {"app":{"id":"wiki",...}}',
});

// Apps defined once and associated with groups.

const GroupIds = Type.Array(Type.String({ minLength: 1 }), {
  description: 'a list of group ids',
});

/** A CatalogApp (id optional: generated) and the groups it is associated with at once. */
export const NewAppRequest = Type.Object(
  {
    ...CatalogApp.properties,
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: '^\\S+$',
        description: 'a non-empty string without spaces (default: app_<hex>)',
      }),
    ),
    groups: Type.Optional(GroupIds),
  },
  { description: 'a JSON object like {"name":"Wiki","host":"wiki.corp","port":443,...}' },
);

export const AppGroupsRequest = Type.Object(
  { groups: GroupIds },
  { description: 'a JSON object like {"groups":["grp_1","grp_2"]}' },
);

export const AppRecordView = Type.Object({
  id: Type.String(),
  app: CatalogApp,
  groups: Type.Array(Type.String()),
  createdAt: Type.String(),
});

const GroupFields = {
  id: Type.String(),
  name: Type.String(),
  customerId: Type.String(),
  maxConnectors: Type.Integer(),
  /** The group's own provisioning key (made with the group, replaced by a rotation). */
  keyId: Nullable(Type.String()),
  region: Type.String(),
  catalogVersion: Type.Integer(),
  appCount: Type.Integer(),
  createdAt: Type.String(),
};
export const GroupSummary = Type.Object(GroupFields);
export const GroupView = Type.Object({ ...GroupFields, apps: Type.Array(Type.Unknown()) });
/** A new group: the only answer that shows its key whole. */
export const NewGroupView = Type.Object({
  ...GroupFields,
  apps: Type.Array(Type.Unknown()),
  key: Type.String(),
});

// Provisioning keys.

export const KeyRequest = Nullable(
  Type.Object({
    maxUses: Type.Optional(Type.Integer({ minimum: 1, description: 'an integer >= 1' })),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 1, description: 'an integer >= 1' })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: 'an ISO 8601 date' })),
  }),
);

const KeyFields = {
  id: Type.String(),
  groupId: Type.String(),
  status: oneOf(['active', 'revoked', 'expired', 'exhausted'], ''),
  maxUses: Type.Integer(),
  uses: Type.Integer(),
  expiresAt: Nullable(Type.String()),
  revoked: Type.Boolean(),
  revokedAt: Nullable(Type.String()),
  createdAt: Type.String(),
  lastUsedAt: Nullable(Type.String()),
};
export const KeyView = Type.Object(KeyFields);
/** The only answer that shows the whole key. */
export const NewKeyView = Type.Object({ ...KeyFields, key: Type.String() });
/** A rotated group key: the new key whole, and the id of the one it revoked (null: none). */
export const RotatedKeyView = Type.Object({
  ...KeyFields,
  key: Type.String(),
  revokedKeyId: Nullable(Type.String()),
});

// Connectors. Ingest bodies are shown as received.

const Received = Type.Object({
  receivedAt: Type.String(),
  /** The collector (its URL) that took it. */
  collector: Type.Optional(Type.String()),
  body: Type.Unknown(),
});
const ConnectorFields = {
  id: Type.String(),
  groupId: Type.String(),
  keyId: Type.String(),
  hostname: Type.String(),
  region: Type.String(),
  version: Nullable(Type.String()),
  registeredAt: Type.String(),
  lastSeenAt: Type.String(),
  certificate: Type.Object({ serial: Type.String(), expiresAt: Type.String() }),
  pendingCertificate: Nullable(
    Type.Object({ serial: Type.String(), expiresAt: Nullable(Type.String()) }),
  ),
  token: Nullable(Type.Object({ expiresAt: Type.String() })),
  health: Nullable(Received),
  popStatus: Nullable(Received),
  logBatches: Type.Integer(),
  logEntries: Type.Integer(),
  /** Ingest requests taken per collector URL. */
  collectors: Type.Record(Type.String(), Type.Integer()),
};
export const ConnectorSummary = Type.Object(ConnectorFields);
export const ConnectorView = Type.Object({
  ...ConnectorFields,
  revokedSerials: Type.Array(Type.String()),
  healthHistory: Type.Array(Received),
  popStatusHistory: Type.Array(Received),
  recentLogs: Type.Array(Type.Record(Type.String(), Type.Unknown())),
});

// The release manifest as an administrator publishes it.

export const ReleaseRequest = Type.Object(
  {
    version: Type.String({ minLength: 1, pattern: '\\S', description: 'a non-empty string' }),
    publishedAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'an ISO 8601 date' }),
    ),
    minAutoUpgradeVersion: Type.Optional(Type.String()),
    /** Closed: an image for a service no POP runs is a mistake, not a future service. */
    images: Type.Optional(
      Type.Object(
        {
          logging: Type.Optional(ReleaseImage),
          connector: Type.Optional(ReleaseImage),
          update: Type.Optional(ReleaseImage),
          'pop-manager': Type.Optional(ReleaseImage),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { description: 'a JSON object like {"version":"1.0.1","images":{...}}' },
);
export { ReleaseManifest };

// Faults.

export const FaultParams = Type.Object({
  endpoint: oneOf<FaultTarget>(['*', ...SSE_ENDPOINTS], ''),
});

/** Each field's type; which fields a mode needs (and their defaults): resolveFaultSpec. */
export const FaultRequest = Type.Object(
  {
    mode: oneOf(FAULT_MODES, ''),
    count: Type.Optional(Type.Integer({ minimum: 1, description: 'an integer >= 1' })),
    status: Type.Optional(
      Type.Integer({ minimum: 500, maximum: 599, description: 'an integer from 500 to 599' }),
    ),
    delayMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 600_000, description: 'an integer from 0 to 600000' }),
    ),
    variant: Type.Optional(
      oneOf([...MALFORMED_VARIANTS, ...MALICIOUS_VARIANTS], 'malformed or malicious'),
    ),
    markerPath: Type.Optional(
      Type.String({
        pattern: MARKER_PATH.source,
        description: 'an absolute path of letters, digits, . _ / -',
      }),
    ),
  },
  { description: 'a JSON object like {"mode":"5xx"}' },
);
const FaultSpecView = Type.Object({
  mode: Type.String(),
  status: Type.Optional(Type.Integer()),
  delayMs: Type.Optional(Type.Integer()),
  variant: Type.Optional(Type.String()),
  markerPath: Type.Optional(Type.String()),
  count: Type.Optional(Type.Integer()),
});
export const FaultList = Type.Record(Type.String(), FaultSpecView);
export const ArmedFault = Type.Object({ endpoint: Type.String(), ...FaultSpecView.properties });

// Information, gateways and the user ingress.

export const Healthz = Type.Object({ status: Type.Literal('ok') });
export const CaPem = Type.String({ description: 'the SSE CA certificate, PEM' });
export const RegionList = Type.Array(
  Type.Object({
    name: Type.String(),
    gateways: Type.Array(
      Type.Object(
        { id: Type.String(), name: Type.String(), host: Type.String(), port: Type.Integer() },
        { additionalProperties: true },
      ),
    ),
  }),
);
/** A gateway's view is the fleet's to shape (process, clients, health): open beyond its name. */
export const GatewayView = Type.Object({ name: Type.String() }, { additionalProperties: true });
export const GatewayList = Type.Array(GatewayView);
/** What the user ingress sent through one tunnel. */
const TunnelCounts = Type.Object({
  key: Type.String(),
  gateway: Type.String(),
  connectorId: Type.String(),
  tunnel: Nullable(Type.String()),
  address: Type.String(),
  proxyPort: Type.Integer(),
  carried: Type.Integer(),
  active: Type.Integer(),
  refused: Type.Integer(),
  failed: Type.Integer(),
});
const Counts = {
  carried: Type.Integer(),
  active: Type.Integer(),
  refused: Type.Integer(),
  failed: Type.Integer(),
};
/** What the user ingress sent to one connector, over all its tunnels. */
const ConnectorCounts = Type.Object({ connectorId: Type.String(), ...Counts });
export const IngressView = Type.Object({
  url: Nullable(Type.String()),
  totals: Type.Record(Type.String(), Type.Number()),
  tunnels: Type.Array(TunnelCounts),
  connectors: Type.Array(ConnectorCounts),
});

// The operator's view of a group.

export const GroupOperatorView = Type.Object({
  group: Type.Object({ id: Type.String(), name: Type.String(), maxConnectors: Type.Integer() }),
  connectors: Type.Array(
    Type.Object({
      id: Type.String(),
      hostname: Type.String(),
      state: GroupConnectorState,
      draining: Type.Boolean(),
      tunnels: Type.Array(
        Type.Object({
          gateway: Type.String(),
          tunnel: Nullable(Type.String()),
          address: Type.String(),
          receivedAt: Type.String(),
          fresh: Type.Boolean(),
        }),
      ),
      apps: Type.Record(Type.String(), Type.String()),
      ingress: Type.Object(Counts),
    }),
  ),
  updateSlot: Nullable(UpdateSlotHolder),
});

export const FreedUpdateSlot = Type.Object({ freed: Nullable(UpdateSlotHolder) });

// The firewall table as served.

const Urls = Type.Array(Type.String());
export const EndpointTableView = Type.Object({
  profile: Type.String(),
  sseUrl: Type.String(),
  endpoints: Type.Object({
    registration: Urls,
    tokens: Urls,
    catalog: Urls,
    collector: Urls,
  }),
  pops: Type.Array(
    Type.Object({
      region: Type.String(),
      hostnames: Type.Array(Type.String()),
      gateways: Type.Array(
        Type.Object({
          name: Type.String(),
          host: Type.String(),
          port: Type.Integer(),
          protocol: Type.String(),
        }),
      ),
    }),
  ),
  rows: Type.Array(
    Type.Object({
      destination: Type.String(),
      port: Type.Integer(),
      protocol: Type.String(),
      purpose: Type.String(),
    }),
  ),
});

/** Sent as a stream of bytes (never serialized). */
export const PackageTar = Type.Unknown({ description: 'PoPPackage.tar (application/x-tar)' });

export { NoBody };
