import type {
  HealthUpdate,
  LogBatch,
  PopStatus,
  RegisterRequest,
  RenewRequest,
} from '@pa-connector/sse-api';
import { invalidRequest } from '../errors';

type Fields = Record<string, unknown>;

function object(body: unknown): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('body must be a JSON object');
  }
  return body as Fields;
}

function string(b: Fields, field: string): string {
  if (typeof b[field] !== 'string') throw invalidRequest(`${field} must be a string`);
  return b[field] as string;
}

function optionalString(b: Fields, field: string): string | undefined {
  return b[field] === undefined ? undefined : string(b, field);
}

export function registerRequest(body: unknown): RegisterRequest {
  const b = object(body);
  const req: RegisterRequest = {
    provisioningKey: string(b, 'provisioningKey'),
    csr: string(b, 'csr'),
    hostname: string(b, 'hostname'),
  };
  const pop = optionalString(b, 'pop');
  const version = optionalString(b, 'version');
  if (pop !== undefined) req.pop = pop;
  if (version !== undefined) req.version = version;
  return req;
}

export function renewRequest(body: unknown): RenewRequest {
  return { csr: string(object(body), 'csr') };
}

export function healthUpdate(body: unknown, connectorId: string): HealthUpdate {
  const b = object(body);
  if (b.connectorId !== undefined && b.connectorId !== connectorId) {
    throw invalidRequest(
      `connectorId "${String(b.connectorId)}" is not the caller (${connectorId})`,
    );
  }
  string(b, 'sentAt');
  if (!Array.isArray(b.apps)) throw invalidRequest('apps must be an array');
  for (const [i, app] of (b.apps as unknown[]).entries()) {
    if (typeof app !== 'object' || app === null || typeof (app as Fields).id !== 'string') {
      throw invalidRequest(`apps[${i}] must be an object with a string id`);
    }
  }
  return { ...b, connectorId } as unknown as HealthUpdate;
}

export function popStatus(body: unknown): PopStatus {
  const b = object(body);
  string(b, 'hostname');
  string(b, 'reportedAt');
  return b as PopStatus;
}

export function logBatch(body: unknown): LogBatch {
  const b = object(body);
  if (!Array.isArray(b.entries)) throw invalidRequest('entries must be an array');
  for (const [i, e] of (b.entries as unknown[]).entries()) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) {
      throw invalidRequest(`entries[${i}] must be an object`);
    }
  }
  return { entries: b.entries as Array<Record<string, unknown>> };
}
