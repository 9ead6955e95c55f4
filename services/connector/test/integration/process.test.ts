import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopAll } from '@pa-connector/test-support';
import { type EmulatorHarness, startEmulatorHarness } from '@pa-connector/test-support/emulator';
import { describeServiceProcess } from '@pa-connector/test-support/process-suite';

afterAll(stopAll);

// The connector is ready once enrolled: an emulated SSE and a provisioning key it may use as
// often as the shared cases start it. Top-level hooks run before the suite's own.
let emu: EmulatorHarness;
let keyFile: string;
const root = mkdtempSync(join(tmpdir(), 'pa-conn-process-'));
beforeAll(async () => {
  emu = await startEmulatorHarness();
  const { key } = await emu.admin.key(await emu.admin.group(), { maxUses: 100 });
  keyFile = join(root, 'provisioning-key');
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
}, 60_000);
afterAll(async () => {
  await emu?.stop();
  rmSync(root, { recursive: true, force: true });
});

describeServiceProcess({
  service: 'connector',
  settings: () => ({
    PA_SSE_URLS: emu.sseUrl,
    PA_SSE_CA_FILE: emu.caCertPath,
    // A fresh identity per process: each case enrolls from the key.
    PA_DATA_DIR: mkdtempSync(join(root, 'data-')),
    PA_PROVISIONING_KEY_FILE: keyFile,
    PA_RETRY_INITIAL_DELAY: '100ms',
    PA_RETRY_MAX_DELAY: '1s',
    // Tunnels need root, openvpn and a network namespace: the tunnel tests cover them.
    PA_TUNNELS: '0',
  }),
  readyChecks: { enrolled: { ok: true }, accepting: { ok: true } },
});
