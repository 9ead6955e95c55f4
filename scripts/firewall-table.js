// Rewrites docs/firewall.md from the connector's endpoint settings (`pnpm docs:firewall`, which
// builds first). A unit test of sse-api fails while the file differs from what the code builds.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const { firewallDocument } = require(join(ROOT, 'packages/sse-api/dist/index.js'));

const path = join(ROOT, 'docs/firewall.md');
let before = '';
try {
  before = readFileSync(path, 'utf8');
} catch {
  // first run: the file does not exist yet
}
const after = firewallDocument();
if (after !== before) writeFileSync(path, after);
console.log(`${after === before ? 'unchanged' : 'rewrote  '} docs/firewall.md`);
