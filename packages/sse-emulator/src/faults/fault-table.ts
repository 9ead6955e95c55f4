import { SSE_ENDPOINTS, type SseEndpoint } from '@pa-connector/sse-api';
import { invalidRequest } from '../errors';

export type FaultMode = 'down' | 'slow' | '5xx' | 'malformed' | 'lost-response' | 'malicious';
export type MalformedVariant = 'not-json' | 'missing-fields';
/** Where a `malicious` answer carries its payload (see hostile.ts). */
export type MaliciousVariant =
  | 'certificate-directive'
  | 'ca-chain-directive'
  | 'tls-crypt-directive'
  | 'cipher-none'
  | 'gateway-host-newline';
export type FaultTarget = SseEndpoint | '*';

export interface FaultSpec {
  mode: FaultMode;
  /** 5xx: the status sent (500-599, default 503). */
  status?: number;
  /** slow: how long to wait before answering normally. */
  delayMs?: number;
  /** malformed: a body that is not JSON, or JSON without the required fields. */
  variant?: MalformedVariant | MaliciousVariant;
  /** malicious: the file the injected `up` command creates (absolute path). */
  markerPath?: string;
  /** Apply this many times, then clear; unlimited when absent. */
  count?: number;
}

const FAULT_MODES: readonly FaultMode[] = [
  'down',
  'slow',
  '5xx',
  'malformed',
  'lost-response',
  'malicious',
];
const VARIANTS: readonly MalformedVariant[] = ['not-json', 'missing-fields'];
const MALICIOUS_VARIANTS: readonly MaliciousVariant[] = [
  'certificate-directive',
  'ca-chain-directive',
  'tls-crypt-directive',
  'cipher-none',
  'gateway-host-newline',
];
/** A marker path goes into an openvpn directive: plain absolute paths only. */
const MARKER_PATH = /^\/[A-Za-z0-9._/-]{1,200}$/;

/**
 * Faults armed through the admin API, per SSE endpoint or for all (`*`). An endpoint's own
 * fault wins over `*`. Kept in memory only: a restart clears them.
 */
export class FaultTable {
  private readonly faults = new Map<FaultTarget, FaultSpec>();

  set(target: FaultTarget, spec: FaultSpec): void {
    this.faults.set(target, { ...spec });
  }

  clear(target?: FaultTarget): void {
    if (target === undefined) this.faults.clear();
    else this.faults.delete(target);
  }

  list(): Partial<Record<FaultTarget, FaultSpec>> {
    return Object.fromEntries(this.faults);
  }

  /** The fault to apply to this request, counting it against `count`. */
  take(endpoint: SseEndpoint): FaultSpec | undefined {
    const target: FaultTarget | undefined = this.faults.has(endpoint)
      ? endpoint
      : this.faults.has('*')
        ? '*'
        : undefined;
    if (target === undefined) return undefined;
    const spec = this.faults.get(target) as FaultSpec;
    if (spec.count !== undefined) {
      spec.count -= 1;
      if (spec.count <= 0) this.faults.delete(target);
    }
    return spec;
  }
}

export function parseFaultTarget(text: string): FaultTarget {
  if (text === '*' || (SSE_ENDPOINTS as string[]).includes(text)) return text as FaultTarget;
  throw invalidRequest(`endpoint: "${text}" is not one of *, ${SSE_ENDPOINTS.join(', ')}`);
}

/** Validates an admin fault body, naming the first bad field. */
export function parseFaultSpec(body: unknown): FaultSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('body must be a JSON object like {"mode":"5xx"}');
  }
  const b = body as Record<string, unknown>;
  if (!FAULT_MODES.includes(b.mode as FaultMode)) {
    throw invalidRequest(`mode must be one of ${FAULT_MODES.join(', ')}`);
  }
  const spec: FaultSpec = { mode: b.mode as FaultMode };
  if (b.count !== undefined) {
    if (!Number.isInteger(b.count) || (b.count as number) < 1) {
      throw invalidRequest('count must be an integer >= 1');
    }
    spec.count = b.count as number;
  }
  if (spec.mode === '5xx') {
    const status = b.status ?? 503;
    if (!Number.isInteger(status) || (status as number) < 500 || (status as number) > 599) {
      throw invalidRequest('status must be an integer from 500 to 599');
    }
    spec.status = status as number;
  }
  if (spec.mode === 'slow') {
    const delayMs = b.delayMs;
    if (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > 600_000) {
      throw invalidRequest('delayMs must be an integer from 0 to 600000 for mode slow');
    }
    spec.delayMs = delayMs as number;
  }
  if (spec.mode === 'malformed') {
    const variant = b.variant ?? 'not-json';
    if (!VARIANTS.includes(variant as MalformedVariant)) {
      throw invalidRequest(`variant must be one of ${VARIANTS.join(', ')}`);
    }
    spec.variant = variant as MalformedVariant;
  }
  if (spec.mode === 'malicious') {
    if (!MALICIOUS_VARIANTS.includes(b.variant as MaliciousVariant)) {
      throw invalidRequest(`variant must be one of ${MALICIOUS_VARIANTS.join(', ')}`);
    }
    spec.variant = b.variant as MaliciousVariant;
    const markerPath = b.markerPath ?? '/tmp/pa-emulator-injected-up-ran';
    if (typeof markerPath !== 'string' || !MARKER_PATH.test(markerPath)) {
      throw invalidRequest('markerPath must be an absolute path of letters, digits, . _ / -');
    }
    spec.markerPath = markerPath;
  }
  return spec;
}
