import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tightenMode, writeSecretFile } from '@pa-connector/config';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  keyMatchesCertificate,
} from '@pa-connector/pki';

const CA_KEY_FILE = 'ca.key';
export const CA_CERT_FILE = 'ca.crt';
export const STATE_FILE = 'state.json';

/**
 * The emulator CA lives in the data directory: `ca.key` (0600) and `ca.crt` (public). Created
 * on first start, reused afterwards so connectors registered earlier stay valid.
 */
export async function loadOrCreateCa(
  dataDir: string,
  now: Date,
): Promise<{ ca: CertificateAuthority; created: boolean; tightened: boolean }> {
  const keyPath = join(dataDir, CA_KEY_FILE);
  const certPath = join(dataDir, CA_CERT_FILE);
  const keyPem = await readOptional(keyPath);
  if (keyPem === undefined) {
    const ca = createCertificateAuthority({ commonName: 'PA Emulator SSE CA', now });
    await writeSecretFile(keyPath, ca.keyPem);
    await writePublicFile(certPath, ca.certPem);
    return { ca, created: true, tightened: false };
  }
  const certPem = await readOptional(certPath);
  if (certPem === undefined) {
    throw new Error(
      `${keyPath} exists but ${certPath} is missing; restore it or use a new data dir`,
    );
  }
  if (!keyMatchesCertificate(keyPem, certPem)) {
    throw new Error(`${certPath} does not belong to ${keyPath}`);
  }
  const tightened = await tightenMode(keyPath);
  return { ca: { keyPem, certPem }, created: false, tightened };
}

/** Atomic write of a file others may read (the public CA certificate). */
async function writePublicFile(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode: 0o644 });
  await rename(tmp, path);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
