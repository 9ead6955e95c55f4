import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError, ValueErrorType } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { CatalogAnswer, type CatalogResponse } from '../contracts/catalog';
import { AcceptedResponse } from '../contracts/common';
import { RegisterResponse, RenewResponse } from '../contracts/enrollment';
import { GroupInfo, UpdateSlotGrant, UpdateSlotReleaseResponse } from '../contracts/group';
import { ReleaseManifest } from '../contracts/release';
import { TokenResponse } from '../contracts/tokens';
import type { SseEndpoint } from '../routes';
import { SseProtocolError } from './errors';

/** `/gateways/0/port` as a reader writes it: `gateways[0].port`. */
function fieldName(path: string): string {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/** What the value at the failing place should have been, in words. */
function expected(error: ValueError): string {
  const said = (error.schema as { description?: unknown }).description;
  if (typeof said === 'string') return said;
  if (error.type === ValueErrorType.Object) return 'an object';
  if (error.type === ValueErrorType.String || error.type === ValueErrorType.StringMinLength)
    return 'a non-empty string';
  return error.message.replace(/^Expected /, '').toLowerCase();
}

/** One sentence naming the field (never its value: an answer may carry anything). */
function describe(error: ValueError): string {
  const field = fieldName(error.path);
  if (field === '') return `body is not ${expected(error)}`;
  if (error.type === ValueErrorType.ObjectRequiredProperty) return `is missing ${field}`;
  return `field ${field} is not ${expected(error)}`;
}

/**
 * A reader of one answer: checks the body against its contract (compiled once), throws an
 * SseProtocolError naming the first bad field, and returns the body with the fields the
 * contract does not know removed (what the client hands on is exactly the contract).
 */
function reader<S extends TSchema>(schema: S) {
  const check = TypeCompiler.Compile(schema);
  return (body: unknown, endpoint: SseEndpoint, url: string | undefined): Static<S> => {
    if (!check.Check(body)) {
      const first = check.Errors(body).First();
      const why = first ? describe(first) : 'breaks the contract';
      throw new SseProtocolError(endpoint, `SSE ${endpoint} response ${why}`, { url });
    }
    return Value.Clean(schema, body) as Static<S>;
  };
}

const register = reader(RegisterResponse);
const token = reader(TokenResponse);
const renew = reader(RenewResponse);
const catalog = reader(CatalogAnswer);
const release = reader(ReleaseManifest);
const accepted = reader(AcceptedResponse);
const group = reader(GroupInfo);
const slotGrant = reader(UpdateSlotGrant);
const slotRelease = reader(UpdateSlotReleaseResponse);

export function readRegisterResponse(body: unknown, url?: string): RegisterResponse {
  return register(body, 'register', url);
}

export function readTokenResponse(
  body: unknown,
  endpoint: 'token' | 'refresh',
  url?: string,
): TokenResponse {
  return token(body, endpoint, url);
}

export function readRenewResponse(body: unknown, url?: string): RenewResponse {
  return renew(body, 'renew', url);
}

export function readCatalogResponse(body: unknown, url?: string): CatalogResponse {
  const answer = catalog(body, 'catalog', url);
  return { version: String(answer.version), apps: answer.apps };
}

/** Images of services this POP does not know (a newer release) are left out, not refused. */
export function readReleaseManifest(body: unknown, url?: string): ReleaseManifest {
  return release(body, 'release', url);
}

export function readAccepted(
  body: unknown,
  endpoint: 'health' | 'popStatus' | 'logs',
  url?: string,
): AcceptedResponse {
  return accepted(body, endpoint, url);
}

export function readGroupInfo(body: unknown, url?: string): GroupInfo {
  return group(body, 'group', url);
}

export function readUpdateSlotGrant(body: unknown, url?: string): UpdateSlotGrant {
  return slotGrant(body, 'updateSlot', url);
}

export function readUpdateSlotRelease(body: unknown, url?: string): UpdateSlotReleaseResponse {
  return slotRelease(body, 'updateSlotRelease', url);
}
