/** The parts of `GET /admin/groups/:id/view` the table shows. */
export interface GroupViewAnswer {
  group: { id: string; name: string; maxConnectors: number };
  connectors: Array<{
    id: string;
    hostname: string;
    state: string;
    tunnels: Array<{ fresh: boolean }>;
    ingress: { carried: number; active: number; failed: number };
  }>;
  updateSlot: { connectorId: string; expiresAt: string } | null;
}

/** `group view`: one line per connector, columns aligned, and who holds the update slot. */
export function groupTable(v: GroupViewAnswer): string {
  const header = ['CONNECTOR', 'HOSTNAME', 'STATE', 'TUNNELS', 'CARRIED', 'ACTIVE', 'FAILED'];
  const rows = v.connectors.map((c) => [
    c.id,
    c.hostname,
    c.state,
    `${c.tunnels.filter((t) => t.fresh).length}/${c.tunnels.length} fresh`,
    String(c.ingress.carried),
    String(c.ingress.active),
    String(c.ingress.failed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const slot = v.updateSlot
    ? `held by ${v.updateSlot.connectorId} until ${v.updateSlot.expiresAt}`
    : 'free';
  return [
    `group ${v.group.name} (${v.group.id}), ${v.connectors.length} of at most ${v.group.maxConnectors} connectors`,
    line(header),
    ...(rows.length ? rows.map(line) : ['(no connector enrolled)']),
    `update slot: ${slot}`,
  ].join('\n');
}
