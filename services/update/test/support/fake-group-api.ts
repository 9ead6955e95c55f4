import type { DrainState, UpdateSlotGrant } from '@pa-connector/sse-api';
import type { SlotAnswer } from '../../src/group/group-slot-api';
import { UpdateError } from '../../src/update-error';

/**
 * The connector's internal API for the group's update slot and its drain, in memory: answers
 * what the test queued (then grants the slot and reports the drain done), and writes each call
 * to `calls` (the fake engine's, when a test wants one timeline).
 */
export class FakeGroupApi {
  /** Answers to the next slot requests; once empty, the slot is granted. */
  readonly slotAnswers: SlotAnswer[] = [];
  /** Answers to the next GETs of the drain; once empty, the connector is drained. */
  readonly drainStates: DrainState[] = [];
  releaseError: string | undefined;
  drainError: string | undefined;
  #leases = 0;

  constructor(
    readonly calls: string[] = [],
    private readonly now: () => number = () => Date.now(),
    readonly ttlAsked: number[] = [],
  ) {}

  grant(leaseId = `lease-${this.#leases + 1}`): UpdateSlotGrant {
    return {
      connectorId: 'conn-a',
      leaseId,
      expiresAt: new Date(this.now() + 900_000).toISOString(),
    };
  }

  async takeSlot(ttlSeconds: number): Promise<SlotAnswer> {
    this.ttlAsked.push(ttlSeconds);
    const a = this.slotAnswers.shift();
    if (a) {
      this.calls.push(`slot ${a.kind}`);
      return a;
    }
    // The holder asking again renews the same lease.
    if (this.#leases === 0) this.#leases = 1;
    const g = this.grant(`lease-${this.#leases}`);
    this.calls.push(`slot granted ${g.leaseId}`);
    return { kind: 'granted', grant: g };
  }

  async releaseSlot(leaseId: string): Promise<boolean> {
    this.calls.push(`slot release ${leaseId}`);
    if (this.releaseError) throw new UpdateError('connector_unreachable', this.releaseError);
    return true;
  }

  async startDrain(): Promise<DrainState> {
    this.calls.push('drain start');
    if (this.drainError) throw new UpdateError('http_404', this.drainError, false);
    return {
      draining: true,
      since: new Date(this.now()).toISOString(),
      openConnections: this.drainStates.length > 0 ? 3 : 0,
      drained: this.drainStates.length === 0,
    };
  }

  async endDrain(): Promise<DrainState> {
    this.calls.push('drain end');
    return { draining: false, openConnections: 0, drained: false };
  }

  async drainState(): Promise<DrainState> {
    const s = this.drainStates.shift() ?? { draining: true, openConnections: 0, drained: true };
    this.calls.push(`drain state ${s.openConnections} open`);
    return s;
  }
}
