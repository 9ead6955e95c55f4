import {
  IMAGE_DIGEST,
  POP_SERVICE_NAMES,
  type PopServiceName,
  type ReleaseImage,
  type ReleaseManifest,
} from '@pa-connector/sse-api';
import { invalidRequest } from '../errors';

type Fields = Record<string, unknown>;

function objectBody(body: unknown, example: string): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest(`body must be a JSON object like ${example}`);
  }
  return body as Fields;
}

export function groupBody(body: unknown): { name: string; pop?: string } {
  const b = objectBody(body, '{"name":"branch-office"}');
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 100) {
    throw invalidRequest('name must be a non-empty string of at most 100 characters');
  }
  if (b.pop !== undefined && typeof b.pop !== 'string')
    throw invalidRequest('pop must be a string');
  return b.pop === undefined ? { name: b.name } : { name: b.name, pop: b.pop as string };
}

export function keyBody(body: unknown, now: Date): { maxUses?: number; expiresAt?: Date } {
  const b = body === undefined ? {} : objectBody(body, '{"maxUses":1,"expiresInSeconds":3600}');
  const out: { maxUses?: number; expiresAt?: Date } = {};
  if (b.maxUses !== undefined) {
    if (!Number.isInteger(b.maxUses) || (b.maxUses as number) < 1) {
      throw invalidRequest('maxUses must be an integer >= 1');
    }
    out.maxUses = b.maxUses as number;
  }
  if (b.expiresInSeconds !== undefined && b.expiresAt !== undefined) {
    throw invalidRequest('give expiresInSeconds or expiresAt, not both');
  }
  if (b.expiresInSeconds !== undefined) {
    if (!Number.isInteger(b.expiresInSeconds) || (b.expiresInSeconds as number) < 1) {
      throw invalidRequest('expiresInSeconds must be an integer >= 1');
    }
    out.expiresAt = new Date(now.getTime() + (b.expiresInSeconds as number) * 1000);
  }
  if (b.expiresAt !== undefined) {
    const at = typeof b.expiresAt === 'string' ? new Date(b.expiresAt) : new Date(Number.NaN);
    if (Number.isNaN(at.getTime())) throw invalidRequest('expiresAt must be an ISO 8601 date');
    out.expiresAt = at;
  }
  return out;
}

export function appsBody(body: unknown): unknown[] {
  if (!Array.isArray(body)) throw invalidRequest('body must be a JSON array of app objects');
  return body;
}

/** `{"app": {...}}` or the app object itself. Entries are stored raw (not validated). */
export function appBody(body: unknown): unknown {
  const b = objectBody(body, '{"app":{"id":"wiki",...}}');
  const keys = Object.keys(b);
  return keys.length === 1 && keys[0] === 'app' ? b.app : b;
}

export function releaseBody(body: unknown, now: Date): ReleaseManifest {
  const b = objectBody(body, '{"version":"1.0.1","images":{...}}');
  if (typeof b.version !== 'string' || b.version.trim() === '') {
    throw invalidRequest('version must be a non-empty string');
  }
  if (
    b.publishedAt !== undefined &&
    (typeof b.publishedAt !== 'string' || Number.isNaN(Date.parse(b.publishedAt)))
  ) {
    throw invalidRequest('publishedAt must be an ISO 8601 date');
  }
  if (b.minAutoUpgradeVersion !== undefined && typeof b.minAutoUpgradeVersion !== 'string') {
    throw invalidRequest('minAutoUpgradeVersion must be a string');
  }
  const images = objectBody(b.images ?? {}, '{"connector":{"image":"...","digest":"sha256:..."}}');
  const checked: Partial<Record<PopServiceName, ReleaseImage>> = {};
  for (const [service, value] of Object.entries(images)) {
    if (!(POP_SERVICE_NAMES as readonly string[]).includes(service)) {
      throw invalidRequest(
        `images.${service}: not a POP service (${POP_SERVICE_NAMES.join(', ')})`,
      );
    }
    const v = value as Fields | null;
    if (typeof v?.image !== 'string' || v.image === '') {
      throw invalidRequest(`images.${service}.image must be a non-empty string`);
    }
    if (typeof v.digest !== 'string' || !IMAGE_DIGEST.test(v.digest)) {
      throw invalidRequest(`images.${service}.digest must be sha256:<64 lowercase hex>`);
    }
    checked[service as PopServiceName] = { image: v.image, digest: v.digest };
  }
  const manifest: ReleaseManifest = {
    version: b.version,
    publishedAt: (b.publishedAt as string | undefined) ?? now.toISOString(),
    images: checked,
  };
  if (b.minAutoUpgradeVersion !== undefined) {
    manifest.minAutoUpgradeVersion = b.minAutoUpgradeVersion as string;
  }
  return manifest;
}
