// Rewrites each service's README settings table from the service's setting schema, between the
// markers the table sits in (`pnpm docs:settings`, which builds first). Each service has a unit
// test that fails while its README's table differs from its schema.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const { withSettingsTable } = require(join(ROOT, 'packages/config/dist/index.js'));

/** Each service and the function of its `src/config.ts` that returns its schema. */
const SCHEMAS = {
  connector: 'connectorSchema',
  logging: 'loggingSchema',
  'pop-manager': 'popManagerSchema',
  update: 'updateSchema',
};

for (const [service, name] of Object.entries(SCHEMAS)) {
  const readme = join(ROOT, 'services', service, 'README.md');
  const schema = require(join(ROOT, 'services', service, 'dist/config.js'))[name]();
  const before = readFileSync(readme, 'utf8');
  const after = withSettingsTable(before, schema, readme);
  if (after !== before) writeFileSync(readme, after);
  console.log(`${after === before ? 'unchanged' : 'rewrote  '} services/${service}/README.md`);
}
