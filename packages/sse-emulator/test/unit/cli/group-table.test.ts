import { groupTable } from '../../../src/cli/group-table';

describe('groupTable', () => {
  it('prints one aligned line per connector and the update slot', () => {
    const text = groupTable({
      group: { id: 'grp_1', name: 'branch', maxConnectors: 2 },
      connectors: [
        {
          id: 'con_aaaa',
          hostname: 'vm-1',
          state: 'active',
          tunnels: [{ fresh: true }, { fresh: true }],
          ingress: { carried: 12, active: 1, failed: 0 },
        },
        {
          id: 'con_b',
          hostname: 'vm-two',
          state: 'silent',
          tunnels: [{ fresh: false }, { fresh: false }],
          ingress: { carried: 3, active: 0, failed: 2 },
        },
      ],
      updateSlot: { connectorId: 'con_b', expiresAt: '2026-01-01T00:10:00.000Z' },
    });
    expect(text.split('\n')).toEqual([
      'group branch (grp_1), 2 of at most 2 connectors',
      'CONNECTOR  HOSTNAME  STATE   TUNNELS    CARRIED  ACTIVE  FAILED',
      'con_aaaa   vm-1      active  2/2 fresh  12       1       0',
      'con_b      vm-two    silent  0/2 fresh  3        0       2',
      'update slot: held by con_b until 2026-01-01T00:10:00.000Z',
    ]);
  });

  it('says when no connector is enrolled and the slot is free', () => {
    const text = groupTable({
      group: { id: 'grp_1', name: 'g', maxConnectors: 1 },
      connectors: [],
      updateSlot: null,
    });
    expect(text).toContain('(no connector enrolled)');
    expect(text).toContain('update slot: free');
  });
});
