import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AcceptedResponse } from '../contracts/common';
import { SseErrorBody } from '../contracts/error-body';
import {
  type InternalApiFetch,
  type InternalApiResponse,
  requestOverHttp,
} from './internal-api-request';

/** Where and how a POP service reaches the connector's internal API. */
export interface InternalApiPostOptions {
  /** The connector's internal API, e.g. http://connector:8080. */
  baseUrl: URL;
  /** Bearer token, when the connector asks for one. */
  token?: string;
  timeoutMs: number;
  /** How the request is sent: node:http(s) unless given (tests pass a fake). */
  fetch?: InternalApiFetch;
}

/** Why a POST to the internal API did not get through; each caller wraps it in its own error. */
export interface InternalApiFailure {
  /** connector_unreachable, `timeoutCode`, the connector's error code, or http_<status>. */
  code: string;
  message: string;
  /** 5xx (not enrolled yet, SSE failing), 408, 429, timeouts and unreachable: later may help. */
  retryable: boolean;
  status?: number;
  cause?: unknown;
}

const errorAnswer = TypeCompiler.Compile(SseErrorBody);
const acceptedAnswer = TypeCompiler.Compile(AcceptedResponse);

/** Parsed JSON, or undefined when the text is not JSON. */
function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The connector's `{error:{code,message}}` (the SSE's error contract), if the answer is one. */
function errorBody(text: string): { code?: string; message?: string } {
  const v = json(text);
  return errorAnswer.Check(v) ? v.error : {};
}

/** An answer in the 2xx range: its status and body text. */
export interface InternalApiAnswer {
  status: number;
  text: string;
}

/**
 * One request to the connector's internal API (a JSON body when `body` is given). Resolves to
 * the 2xx answer or to the failure (never throws). For answers that are neither an acceptance
 * nor a plain GET (the group's update slot, the connector's drain), the caller reads the body.
 */
export async function callInternalApi(
  o: InternalApiPostOptions,
  method: 'GET' | 'POST' | 'DELETE',
  route: string,
  body: unknown,
  timeoutCode: string,
): Promise<InternalApiAnswer | InternalApiFailure> {
  const url = new URL(route, o.baseUrl);
  const doFetch = o.fetch ?? requestOverHttp;
  let res: InternalApiResponse;
  let text: string;
  try {
    res = await doFetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return {
        code: timeoutCode,
        message: `the connector did not answer within ${o.timeoutMs}ms`,
        retryable: true,
        cause: err,
      };
    }
    // fetch puts the socket's error in `cause`; node:http rejects with it.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (err as { code?: string }).code;
    return {
      code: 'connector_unreachable',
      message: `cannot reach the connector at ${url.origin}: ${code ?? cause?.message ?? (err as Error).message}`,
      retryable: true,
      cause: err,
    };
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, text };
  const answer = errorBody(text);
  const code = answer.code ?? `http_${res.status}`;
  const why = answer.message ?? text.slice(0, 200);
  return {
    code,
    message: `the connector answered ${res.status} ${code}${why ? `: ${why}` : ''}`,
    retryable: res.status >= 500 || res.status === 429 || res.status === 408,
    status: res.status,
  };
}

const isFailure = (r: InternalApiAnswer | InternalApiFailure): r is InternalApiFailure =>
  'code' in r;

/**
 * POSTs `body` as JSON to `route` of the connector's internal API. Resolves when the connector
 * (and through it the SSE) accepted it, else resolves to the failure (never throws). An
 * acceptance that is not `{accepted: n}` is a failure too (`bad_answer`); not retryable, since
 * the connector may have forwarded it already.
 */
export async function postInternalApi(
  o: InternalApiPostOptions,
  route: string,
  body: unknown,
  timeoutCode: string,
): Promise<InternalApiFailure | undefined> {
  const r = await callInternalApi(o, 'POST', route, body, timeoutCode);
  if (isFailure(r)) return r;
  if (acceptedAnswer.Check(json(r.text))) return undefined;
  return {
    code: 'bad_answer',
    message: `the connector answered ${r.status} without {"accepted": <number>}`,
    retryable: false,
    status: r.status,
  };
}

/**
 * GETs `route` of the connector's internal API. Resolves to the parsed JSON body, or to the
 * failure (a body that is not JSON is one, code `bad_answer`); never throws.
 */
export async function getInternalApi(
  o: InternalApiPostOptions,
  route: string,
  timeoutCode: string,
): Promise<{ body: unknown } | InternalApiFailure> {
  const r = await callInternalApi(o, 'GET', route, undefined, timeoutCode);
  if (isFailure(r)) return r;
  const body = json(r.text);
  if (body !== undefined) return { body };
  return {
    code: 'bad_answer',
    message: `the connector answered ${r.status} with a body that is not JSON`,
    retryable: true,
  };
}
