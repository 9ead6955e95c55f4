import { GroupInfo, InternalApiRoutes } from '@pa-connector/sse-api';
import type { CliContext } from '../context';
import { answerCheck } from '../http/answer-check';
import { connectorApi } from '../http/connector-api';

const checkGroup = answerCheck(GroupInfo, 'connector group');

/** The connector's group as the cloud reports it, or why it is unknown. Never throws. */
export async function fetchGroup(
  ctx: CliContext,
): Promise<{ group: GroupInfo } | { error: string }> {
  try {
    return { group: checkGroup(await connectorApi(ctx, 'GET', InternalApiRoutes.group)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** This connector: its id (from its /ready), else its hostname (the POP's). */
export interface Self {
  id: string | undefined;
  hostname: string | undefined;
}

const isSelf = (c: { id: string; hostname: string }, self: Self) =>
  self.id !== undefined ? c.id === self.id : c.hostname === self.hostname;

/**
 * `east: 2 peers (1 active), update slot free`: the connectors of the group other than this one
 * and who holds the update slot.
 */
export function groupLine(g: GroupInfo, self: Self): string {
  const peers = g.connectors.filter((c) => !isSelf(c, self));
  const active = peers.filter((c) => c.state === 'active').length;
  const peerText = `${peers.length} peer${peers.length === 1 ? '' : 's'} (${active} active)`;
  const slot = g.updateSlot;
  let slotText = 'update slot free';
  if (slot) {
    const holder = g.connectors.find((c) => c.id === slot.connectorId);
    const who =
      holder && isSelf(holder, self)
        ? 'this connector'
        : `${slot.connectorId}${holder ? ` (${holder.hostname})` : ''}`;
    slotText = `update slot held by ${who} until ${slot.expiresAt}`;
  }
  return `${g.name || g.groupId}: ${peerText}, ${slotText}`;
}
