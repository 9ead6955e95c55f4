import {
  UPDATE_SLOT_TAKEN,
  type UpdateSlotGrant,
  type UpdateSlotHolder,
} from '@pa-connector/sse-api';
import { EmulatorError } from '../errors';
import { hexId, type StateContext } from './state-context';

/** The lease of one group's update slot, as persisted under `updateSlots` in `state.json`. */
export type UpdateSlotRecord = UpdateSlotHolder;

/** A refused take: another connector of the group holds an unexpired lease. */
export class UpdateSlotTaken extends EmulatorError {
  constructor(readonly holder: UpdateSlotHolder) {
    super(
      'invalid_request',
      `the group's update slot is held by ${holder.connectorId} until ${holder.expiresAt}`,
      // The contract's own code, which is not one of the SSE's general error codes.
      { status: 409, bodyCode: UPDATE_SLOT_TAKEN },
    );
    this.name = 'UpdateSlotTaken';
  }
}

/**
 * One update slot per group: a lease with an expiry, so connectors of a group update one at a
 * time and a holder that dies frees the slot by not renewing. Time comes from the emulator's
 * clock; the leases live in `state.json`, so a restart keeps them.
 */
export class UpdateSlots {
  constructor(
    private readonly slots: Record<string, UpdateSlotRecord>,
    private readonly ctx: StateContext,
  ) {}

  /** The unexpired holder of the group's slot (an expired lease is dropped). */
  holder(groupId: string): UpdateSlotHolder | null {
    const slot = this.slots[groupId];
    if (!slot) return null;
    if (Date.parse(slot.expiresAt) <= this.ctx.clock.now().getTime()) {
      delete this.slots[groupId];
      return null;
    }
    return slot;
  }

  /** Takes the slot, or renews it (same leaseId, new expiry) when the caller holds it. */
  take(groupId: string, connectorId: string, ttlSeconds: number): UpdateSlotGrant {
    const current = this.holder(groupId);
    if (current && current.connectorId !== connectorId) throw new UpdateSlotTaken(current);
    const expiresAt = new Date(this.ctx.clock.now().getTime() + ttlSeconds * 1000).toISOString();
    const lease: UpdateSlotRecord = {
      connectorId,
      leaseId: current?.leaseId ?? `lse_${hexId(this.ctx, 8)}`,
      expiresAt,
    };
    this.slots[groupId] = lease;
    return { ...lease };
  }

  /** True when `leaseId` was the caller's current lease (now freed); false otherwise. */
  release(groupId: string, connectorId: string, leaseId: string): boolean {
    const current = this.holder(groupId);
    if (!current || current.leaseId !== leaseId || current.connectorId !== connectorId) {
      return false;
    }
    delete this.slots[groupId];
    return true;
  }

  /** The operator frees a stuck slot: the holder it had (null when it was free). */
  free(groupId: string): UpdateSlotHolder | null {
    const current = this.holder(groupId);
    delete this.slots[groupId];
    return current;
  }
}
