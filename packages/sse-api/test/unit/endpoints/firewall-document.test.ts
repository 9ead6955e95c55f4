import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firewallDocument } from '../../../src/endpoints';

const DOC = join(__dirname, '../../../../../docs/firewall.md');

describe('docs/firewall.md', () => {
  it('is the firewall table the code builds (`pnpm docs:firewall` rewrites it)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(firewallDocument());
  });

  it('holds both profiles with the default domain shown as <domain>', () => {
    const doc = firewallDocument();
    expect(doc).toContain('| `wgcs.<domain>` | 8080 | tcp | connector registration |');
    expect(doc).toContain('| `status.<domain>` | 5640 | tcp | POP status, logs and health |');
    expect(doc).toContain('| `<pop>.pa-wgcs.<domain>` | 5660 | udp/tcp | tunnel to the gateway |');
    expect(doc).not.toContain('pa-connector.net');
  });
});
