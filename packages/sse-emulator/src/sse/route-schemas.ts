import {
  AcceptedResponse,
  CatalogResponse,
  GroupInfo,
  HealthUpdate,
  LogBatch,
  NoBody,
  PopStatusReport,
  RegisterRequest,
  RegisterResponse,
  ReleaseManifest,
  RenewRequest,
  RenewResponse,
  SseErrorBody,
  TokenResponse,
  UpdateSlotGrant,
  UpdateSlotReleaseRequest,
  UpdateSlotReleaseResponse,
  UpdateSlotRequest,
} from '@pa-connector/sse-api';
import { Type } from '@sinclair/typebox';

/** Every SSE route can refuse (4xx) or fail (5xx) with the one error shape. */
const errors = { '4xx': SseErrorBody, '5xx': SseErrorBody } as const;

/** The caller is known from its certificate: a health update may leave its own id out. */
const HealthUpdateBody = Type.Object({
  ...HealthUpdate.properties,
  connectorId: Type.Optional(Type.String()),
});

/**
 * The contract of each SSE route, from the shared SSE API schemas. The answers a fault
 * replaces (garbage on purpose) are strings or rewritten after serialization, so these never
 * "repair" them.
 */
export const SseRouteSchemas = {
  register: { body: RegisterRequest, response: { 201: RegisterResponse, ...errors } },
  token: { body: NoBody, response: { 200: TokenResponse, ...errors } },
  refresh: { body: NoBody, response: { 200: TokenResponse, ...errors } },
  renew: { body: RenewRequest, response: { 200: RenewResponse, ...errors } },
  catalog: { response: { 200: CatalogResponse, 304: NoBody, ...errors } },
  health: { body: HealthUpdateBody, response: { 202: AcceptedResponse, ...errors } },
  popStatus: { body: PopStatusReport, response: { 202: AcceptedResponse, ...errors } },
  release: { response: { 200: ReleaseManifest, ...errors } },
  logs: { body: LogBatch, response: { 202: AcceptedResponse, ...errors } },
  group: { response: { 200: GroupInfo, ...errors } },
  updateSlot: { body: UpdateSlotRequest, response: { 200: UpdateSlotGrant, ...errors } },
  updateSlotRelease: {
    body: UpdateSlotReleaseRequest,
    response: { 200: UpdateSlotReleaseResponse, ...errors },
  },
} as const;
