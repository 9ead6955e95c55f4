import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceProcess, stopAll, waitFor } from '@pa-connector/test-support';
import { describeServiceProcess } from '@pa-connector/test-support/process-suite';

afterAll(stopAll);

type ReadyBody = { ready: boolean; checks: Record<string, { ok: boolean; detail?: unknown }> };

const logRoot = mkdtempSync(join(tmpdir(), 'pa-logging-'));
afterAll(() => rmSync(logRoot, { recursive: true, force: true }));

describeServiceProcess({
  service: 'logging',
  settings: () => ({ PA_LOG_DIR: mkdtempSync(join(logRoot, 'logs-')) }),
  readyChecks: { logDir: { ok: true, detail: { writable: true } }, ingest: { ok: true } },
  cases: ({ redis, settings }) => {
    it('is not ready while its log directory cannot be written, and says which', async () => {
      const blocker = join(logRoot, 'a-file');
      writeFileSync(blocker, 'not a directory');
      const svc = await startServiceProcess({
        service: 'logging',
        env: { ...settings(redis()), PA_LOG_DIR: join(blocker, 'logs') },
      });
      // Redis becomes reachable; the directory never does.
      const ready = await waitFor('redis ok in /ready', async () => {
        const a = await svc.get('/ready');
        return a.json<ReadyBody>().checks.redis?.ok ? a : undefined;
      });
      expect(ready.status).toBe(503);
      expect(ready.json<ReadyBody>().checks).toMatchObject({
        redis: { ok: true },
        logDir: {
          ok: false,
          detail: { writable: false, error: expect.stringMatching(/ENOTDIR|EEXIST/) },
        },
      });
      expect(await svc.stop()).toBe(0);
    });
  },
});
