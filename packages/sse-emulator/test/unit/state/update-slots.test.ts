import { UPDATE_SLOT_TAKEN } from '@pa-connector/sse-api';
import { UpdateSlotTaken } from '../../../src/state/update-slots';
import { newState, registerOne } from '../state-fixture';

function twoConnectors() {
  const { state, clock } = newState();
  const { group } = state.createGroup({ name: 'g', maxConnectors: 2 });
  const key = state.createKey(group.id, { maxUses: 2 }).key;
  const a = registerOne(state, key, 'host-a').connector;
  const b = registerOne(state, key, 'host-b').connector;
  return { state, clock, group, a, b };
}

describe("a group's update slot", () => {
  it('grants one lease per group; the holder renews it, another connector gets 409', async () => {
    const { state, clock, group, a, b } = twoConnectors();
    const grant = state.takeUpdateSlot(a, 60);
    expect(grant.connectorId).toBe(a.id);
    expect(Date.parse(grant.expiresAt) - clock.now()).toBe(60_000);
    await clock.advance(30_000);
    const renewed = state.takeUpdateSlot(a, 60);
    expect(renewed.leaseId).toBe(grant.leaseId);
    expect(Date.parse(renewed.expiresAt) - clock.now()).toBe(60_000);
    let refused: unknown;
    try {
      state.takeUpdateSlot(b, 60);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(UpdateSlotTaken);
    expect(refused).toMatchObject({
      statusCode: 409,
      bodyCode: UPDATE_SLOT_TAKEN,
      message: `the group's update slot is held by ${a.id} until ${renewed.expiresAt}`,
    });
    expect(state.updateSlot(group.id)).toEqual(renewed);
  });

  it('frees an expired lease: the next taker gets a new one, the old one cannot be released', async () => {
    const { state, clock, group, a, b } = twoConnectors();
    const old = state.takeUpdateSlot(a, 10);
    await clock.advance(10_000);
    expect(state.updateSlot(group.id)).toBeNull();
    const next = state.takeUpdateSlot(b, 10);
    expect(next.leaseId).not.toBe(old.leaseId);
    expect(state.releaseUpdateSlot(a, old.leaseId)).toBe(false);
    expect(state.updateSlot(group.id)?.connectorId).toBe(b.id);
  });

  it("releases only the caller's current lease; the operator frees any", () => {
    const { state, group, a, b } = twoConnectors();
    const grant = state.takeUpdateSlot(a, 60);
    expect(state.releaseUpdateSlot(b, grant.leaseId)).toBe(false);
    expect(state.releaseUpdateSlot(a, 'lse_other')).toBe(false);
    expect(state.releaseUpdateSlot(a, grant.leaseId)).toBe(true);
    expect(state.releaseUpdateSlot(a, grant.leaseId)).toBe(false);
    const again = state.takeUpdateSlot(b, 60);
    expect(state.freeUpdateSlot(group.id)).toEqual(again);
    expect(state.freeUpdateSlot(group.id)).toBeNull();
    expect(() => state.freeUpdateSlot('grp_nope')).toThrow('no group grp_nope');
  });
});
