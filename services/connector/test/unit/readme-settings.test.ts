import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsTable, settingsTableIn } from '@pa-connector/config';
import { connectorSchema } from '../../src/config';

const README = join(__dirname, '../../README.md');

describe('the README settings table', () => {
  it('is the schema, setting for setting (`pnpm docs:settings` rewrites it)', () => {
    expect(settingsTableIn(readFileSync(README, 'utf8'), README)).toBe(
      settingsTable(connectorSchema()),
    );
  });
});
