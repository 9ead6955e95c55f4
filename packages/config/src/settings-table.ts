import type { Schema } from './load-config';
import type { Setting } from './settings';

/** The comments a README's settings table sits between; everything between them is generated. */
export const SETTINGS_TABLE_START =
  '<!-- settings table: generated from the schema by `pnpm docs:settings`; edit the schema, not this -->';
export const SETTINGS_TABLE_END = '<!-- end of the generated settings table -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

function defaultCell(s: Setting<unknown>): string {
  // An empty list (or string) by default: nothing is set.
  if (s.defaultText === '') return 'none';
  if (s.defaultText !== undefined) return `\`${cell(s.defaultText)}\``;
  if (s.secret) return 'file path';
  return cell(s.unsetText ?? '—');
}

/** The schema as a markdown table: setting, default (or what unset means), meaning. */
export function settingsTable(schema: Schema): string {
  const rows = Object.values(schema).map(
    (s) => `| \`${s.env}\` | ${defaultCell(s)} | ${cell(s.description)} |`,
  );
  return ['| setting | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function bounds(readme: string, where: string): [number, number] {
  const start = readme.indexOf(SETTINGS_TABLE_START);
  const end = readme.indexOf(SETTINGS_TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`${where} has no settings table markers (${SETTINGS_TABLE_START} ... end)`);
  }
  return [start + SETTINGS_TABLE_START.length, end];
}

/** The text between the markers, trimmed, as settingsTable writes it. */
export function settingsTableIn(readme: string, where = 'the README'): string {
  const [from, to] = bounds(readme, where);
  return readme.slice(from, to).trim();
}

/** `readme` with the text between the markers replaced by the schema's table. */
export function withSettingsTable(readme: string, schema: Schema, where = 'the README'): string {
  const [from, to] = bounds(readme, where);
  return `${readme.slice(0, from)}\n${settingsTable(schema)}\n${readme.slice(to)}`;
}
