import type { SseEndpoint } from '@pa-connector/sse-api';
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

export const FAULT_MODES: readonly FaultMode[] = [
  'down',
  'slow',
  '5xx',
  'malformed',
  'lost-response',
  'malicious',
];
export const MALFORMED_VARIANTS: readonly MalformedVariant[] = ['not-json', 'missing-fields'];
export const MALICIOUS_VARIANTS: readonly MaliciousVariant[] = [
  'certificate-directive',
  'ca-chain-directive',
  'tls-crypt-directive',
  'cipher-none',
  'gateway-host-newline',
];
/** A marker path goes into an openvpn directive: plain absolute paths only. */
export const MARKER_PATH = /^\/[A-Za-z0-9._/-]{1,200}$/;
const DEFAULT_MARKER_PATH = '/tmp/pa-emulator-injected-up-ran';

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

/** A fault as the admin API takes it: each field already of its type (the route's schema). */
export interface FaultRequest {
  mode: FaultMode;
  count?: number;
  status?: number;
  delayMs?: number;
  variant?: string;
  markerPath?: string;
}

/**
 * The fault a request arms: what each mode needs (a delay for `slow`, a variant of its own for
 * `malformed` and `malicious`) and the defaults, naming the field that is wrong.
 */
export function resolveFaultSpec(request: FaultRequest): FaultSpec {
  const spec: FaultSpec = { mode: request.mode };
  if (request.count !== undefined) spec.count = request.count;
  switch (request.mode) {
    case '5xx':
      spec.status = request.status ?? 503;
      break;
    case 'slow':
      if (request.delayMs === undefined) {
        throw invalidRequest('delayMs must be an integer from 0 to 600000 for mode slow');
      }
      spec.delayMs = request.delayMs;
      break;
    case 'malformed': {
      const variant = request.variant ?? 'not-json';
      if (!MALFORMED_VARIANTS.includes(variant as MalformedVariant)) {
        throw invalidRequest(`variant must be one of ${MALFORMED_VARIANTS.join(', ')}`);
      }
      spec.variant = variant as MalformedVariant;
      break;
    }
    case 'malicious':
      if (!MALICIOUS_VARIANTS.includes(request.variant as MaliciousVariant)) {
        throw invalidRequest(`variant must be one of ${MALICIOUS_VARIANTS.join(', ')}`);
      }
      spec.variant = request.variant as MaliciousVariant;
      spec.markerPath = request.markerPath ?? DEFAULT_MARKER_PATH;
      break;
  }
  return spec;
}
