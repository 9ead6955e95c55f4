import {
  callInternalApi,
  DrainState,
  type InternalApiFailure,
  type InternalApiPostOptions,
  InternalApiRoutes,
  UPDATE_SLOT_TAKEN,
  UpdateSlotGrant,
  UpdateSlotReleaseResponse,
} from '@pa-connector/sse-api/internal-api';
import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { UpdateError } from '../update-error';

/** What asking for the group's update slot came to. */
export type SlotAnswer =
  | { kind: 'granted'; grant: UpdateSlotGrant }
  /** Another connector of the group holds it; `message` is the cloud's (names it and its expiry). */
  | { kind: 'taken'; message: string; holder?: string; until?: string }
  /** Anything else: not enrolled, cloud unreachable, a bad answer. */
  | { kind: 'failed'; code: string; message: string };

const grantAnswer = TypeCompiler.Compile(UpdateSlotGrant);
const releaseAnswer = TypeCompiler.Compile(UpdateSlotReleaseResponse);
const drainAnswer = TypeCompiler.Compile(DrainState);

/** The cloud's 409 message: "the group's update slot is held by <connectorId> until <ISO time>". */
const HELD_BY = /held by (\S+) until (\S+)/;

/** The answer's JSON when it has the schema's shape, else undefined. */
function answerOf<T extends TSchema>(check: TypeCheck<T>, text: string): T['static'] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return check.Check(v) ? v : undefined;
}

const failed = (what: string, f: InternalApiFailure) =>
  new UpdateError(f.code, `${what}: ${f.message}`, f.retryable, { cause: f.cause });

/**
 * The group's update slot and the connector's drain, through the connector's internal API: the
 * slot is forwarded to the cloud, the drain is the connector's own.
 */
export class GroupSlotApi {
  readonly #o: InternalApiPostOptions;

  constructor(o: InternalApiPostOptions) {
    this.#o = o;
  }

  /** Takes the slot for `ttlSeconds`, or renews it when this connector holds it already. */
  async takeSlot(ttlSeconds: number): Promise<SlotAnswer> {
    const r = await callInternalApi(
      this.#o,
      'POST',
      InternalApiRoutes.updateSlot,
      { ttlSeconds },
      'update_slot_timeout',
    );
    if ('code' in r) {
      if (r.status === 409 && r.code === UPDATE_SLOT_TAKEN) {
        // Only for the log line and the status: the decision rests on the code.
        const held = HELD_BY.exec(r.message);
        return {
          kind: 'taken',
          message: r.message,
          ...(held ? { holder: held[1], until: held[2] } : {}),
        };
      }
      return { kind: 'failed', code: r.code, message: r.message };
    }
    const grant = answerOf(grantAnswer, r.text);
    if (!grant) {
      return {
        kind: 'failed',
        code: 'bad_answer',
        message: `the connector answered ${r.status} without an update slot grant {connectorId, leaseId, expiresAt}`,
      };
    }
    return { kind: 'granted', grant };
  }

  /** Gives the slot back: true when the lease was still current. Throws UpdateError. */
  async releaseSlot(leaseId: string): Promise<boolean> {
    const r = await callInternalApi(
      this.#o,
      'POST',
      InternalApiRoutes.updateSlotRelease,
      { leaseId },
      'update_slot_timeout',
    );
    if ('code' in r) throw failed('releasing the update slot', r);
    const answer = answerOf(releaseAnswer, r.text);
    if (!answer) {
      throw new UpdateError(
        'bad_answer',
        `releasing the update slot: the connector answered ${r.status} without {"released": <boolean>}`,
      );
    }
    return answer.released;
  }

  /** Starts the connector's drain (with its own grace). Throws UpdateError. */
  startDrain(): Promise<DrainState> {
    return this.#drain('POST');
  }

  /** The connector's drain as it stands. Throws UpdateError. */
  drainState(): Promise<DrainState> {
    return this.#drain('GET');
  }

  /** Takes the connector back into service (it was not replaced after all). Throws UpdateError. */
  endDrain(): Promise<DrainState> {
    return this.#drain('DELETE');
  }

  async #drain(method: 'GET' | 'POST' | 'DELETE'): Promise<DrainState> {
    const r = await callInternalApi(
      this.#o,
      method,
      InternalApiRoutes.drain,
      method === 'POST' ? {} : undefined,
      'drain_timeout',
    );
    if ('code' in r) throw failed('draining the connector', r);
    const state = answerOf(drainAnswer, r.text);
    if (!state) {
      throw new UpdateError(
        'bad_answer',
        `draining the connector: the connector answered ${r.status} without a drain state {draining, openConnections, drained}`,
      );
    }
    return state;
  }
}
