import { createPrivateKey } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { tightenMode, writeSecretFile } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';

/** File name of the pending key in the data directory. */
export const PENDING_KEY_FILE = 'enrollment.key';

/** The private key of an enrollment not finished yet, in the data directory (0600). */
export interface PendingKeyStore {
  load(): Promise<string | undefined>;
  save(privateKeyPem: string): Promise<void>;
  remove(): Promise<void>;
}

/**
 * Keeps the key pair of an enrollment in progress on disk, so that a connector restarted after
 * its registration was sent (the SSE may have registered it; the answer never arrived) sends
 * the same CSR again and gets the same registration, instead of spending another use of a
 * provisioning key. Written atomically, 0600; removed once the identity is stored.
 */
export class PendingKeyFile implements PendingKeyStore {
  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {}

  async load(): Promise<string | undefined> {
    let pem: string;
    try {
      pem = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      createPrivateKey(pem);
    } catch {
      // Unusable: a fresh key pair is all that is lost (the answer to it was lost anyway).
      this.log.warn({ path: this.path }, 'pending enrollment key is unreadable; using a new one');
      return undefined;
    }
    if (await tightenMode(this.path, 0o600)) {
      this.log.warn({ path: this.path, to: '0600' }, 'tightened permissions of the pending key');
    }
    return pem;
  }

  save(privateKeyPem: string): Promise<void> {
    return writeSecretFile(this.path, privateKeyPem);
  }

  async remove(): Promise<void> {
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
