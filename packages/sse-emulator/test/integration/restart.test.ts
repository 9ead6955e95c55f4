import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SseRoutes } from '@pa-connector/sse-api';
import { enroll, startTestEmulator } from '../support/harness';

describe('restart', () => {
  it('keeps the CA, groups, keys, connectors, tokens and catalog', async () => {
    const first = await startTestEmulator();
    const { dataDir, clock } = first;
    let second: Awaited<ReturnType<typeof startTestEmulator>> | undefined;
    try {
      const c = await enroll(first);
      const { key, keyId } = await first.admin.groupWithKey({ maxUses: 2 });
      await first.admin.put(`/admin/groups/${c.groupId}/apps`, [{ id: 'wiki' }]);
      await first.sse({
        path: SseRoutes.health,
        cert: c.tls,
        token: c.token,
        body: { sentAt: 'x', apps: [] },
      });
      const used = await first.sse({
        path: SseRoutes.register,
        body: { provisioningKey: key, csr: c.identity.csr, hostname: 'before' },
      });
      expect(used.status).toBe(201);
      const caBefore = first.emu.caCertPem;
      await first.stop();

      second = await startTestEmulator({ dataDir, clock });
      expect(second.emu.caCertPem).toBe(caBefore);
      expect(await readFile(join(dataDir, 'ca.crt'), 'utf8')).toBe(caBefore);
      // The connector's certificate and token from before the restart still work.
      const cat = await second.sse({ path: SseRoutes.catalog, cert: c.tls, token: c.token });
      expect(cat.status).toBe(200);
      expect(cat.json()).toEqual({ version: '2', apps: [{ id: 'wiki' }] });
      const view = (await second.admin.get(`/admin/connectors/${c.connectorId}`)).body;
      expect(view.health.body.sentAt).toBe('x');
      // The key kept its use count: one use left, then exhausted.
      const csr = c.identity.csr;
      expect(
        (
          await second.sse({
            path: SseRoutes.register,
            body: { provisioningKey: key, csr, hostname: 'a' },
          })
        ).status,
      ).toBe(201);
      const exhausted = await second.sse({
        path: SseRoutes.register,
        body: { provisioningKey: key, csr, hostname: 'b' },
      });
      expect(exhausted.json().error.code).toBe('provisioning_key_exhausted');
      expect((await second.admin.get(`/admin/keys/${keyId}`)).body.uses).toBe(2);
    } finally {
      await first.stop();
      await (second ?? first).cleanup();
    }
  });
});
