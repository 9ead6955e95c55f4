export interface Column {
  header: string;
  /** Numbers read better right-aligned. Default left. */
  align?: 'left' | 'right';
}

/** Cells may hold line breaks or tabs from remote data; a table row must stay one line. */
function cell(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

/**
 * Aligned text table: a header line, then one line per row; columns separated by two spaces,
 * trailing blanks trimmed. Rows shorter than the header get empty cells.
 */
export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
): string {
  const lines = [
    columns.map((c) => c.header),
    ...rows.map((r) => columns.map((_, i) => cell(r[i] ?? ''))),
  ];
  const widths = columns.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return lines
    .map((l) =>
      l
        .map((text, i) => {
          const w = widths[i] ?? 0;
          return columns[i]?.align === 'right' ? text.padStart(w) : text.padEnd(w);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key: value` lines with the keys padded to one width. */
export function formatPairs(pairs: readonly (readonly [string, string])[]): string {
  const w = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(w)}  ${cell(v)}`.trimEnd()).join('\n');
}
