import { constants } from 'node:fs';
import {
  access,
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '@pa-connector/config';
import type { Logger } from '@pa-connector/logger';
import { keyMatchesCertificate } from '@pa-connector/pki';
import { SseProtocolError } from '@pa-connector/sse-api';
import { checkedIdentity } from '../enrollment/answer-check';
import type { Identity } from './identity';
import { IdentityError } from './identity-error';

/** Where the store is in a save, for tests that simulate a crash between steps. */
export type SaveStep = 'files-written' | 'link-created' | 'switched';

export interface IdentityStoreOptions {
  logger: Logger;
  /** Test hook, called after each step of `save`; throwing there simulates a crash. */
  afterStep?: (step: SaveStep) => void | Promise<void>;
}

const CURRENT = 'identity';
const LINK_TMP = '.identity.link.tmp';
const DIR_PREFIX = 'identity-';
const FILES = {
  meta: 'identity.json',
  key: 'client.key',
  cert: 'client.crt',
  chain: 'ca-chain.pem',
} as const;

/**
 * The connector's identity on disk. Each identity is written into a fresh directory and then
 * published by atomically replacing the `identity` symlink, so at any instant (even after a crash
 * between any two steps) the data directory holds either the complete old identity, the complete
 * new one, or none: never a mix. Directories are 0700 and files 0600.
 */
export class IdentityStore {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #afterStep: IdentityStoreOptions['afterStep'];

  constructor(dir: string, o: IdentityStoreOptions) {
    this.#dir = dir;
    this.#log = o.logger;
    this.#afterStep = o.afterStep;
  }

  get dir(): string {
    return this.#dir;
  }

  /** Paths of the current identity's files (for operators and tests). */
  get paths(): Record<keyof typeof FILES, string> {
    const base = join(this.#dir, CURRENT);
    return {
      meta: join(base, FILES.meta),
      key: join(base, FILES.key),
      cert: join(base, FILES.cert),
      chain: join(base, FILES.chain),
    };
  }

  /**
   * Creates the data directory (0700), tightens anything looser than 0700/0600 (and logs it),
   * and removes what an interrupted save left behind.
   */
  async prepare(): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
      await this.#tighten(this.#dir, 0o700);
      await access(this.#dir, constants.W_OK | constants.X_OK);
    } catch (err) {
      if (err instanceof IdentityError) throw err;
      throw new IdentityError(
        'data_dir_unusable',
        `data directory ${this.#dir} cannot be used (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        { cause: err },
      );
    }
    const current = await this.#currentDirName();
    for (const entry of await readdir(this.#dir)) {
      if (entry === LINK_TMP || (entry.startsWith(DIR_PREFIX) && entry !== current)) {
        await rm(join(this.#dir, entry), { recursive: true, force: true });
        this.#log.info(
          { path: join(this.#dir, entry) },
          'removed what an interrupted identity write left behind',
        );
      }
    }
    if (current !== undefined) {
      const base = join(this.#dir, current);
      await this.#tighten(base, 0o700);
      for (const f of Object.values(FILES)) {
        await this.#tighten(join(base, f), 0o600).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      }
    }
  }

  /**
   * The stored identity, or undefined when there is none. An identity whose files are missing or
   * whose private key does not match its certificate is an IdentityError (never silently replaced:
   * enrolling again would use up a provisioning key).
   */
  async load(): Promise<Identity | undefined> {
    const current = await this.#currentDirName();
    if (current === undefined) return undefined;
    const base = join(this.#dir, current);
    const read = async (f: string) => {
      try {
        return await readFile(join(base, f), 'utf8');
      } catch (err) {
        throw new IdentityError(
          'identity_corrupt',
          `identity in ${this.#dir} is incomplete: cannot read ${f} (${(err as NodeJS.ErrnoException).code})`,
          { cause: err },
        );
      }
    };
    const [metaText, privateKeyPem, certificatePem, chainText] = await Promise.all([
      read(FILES.meta),
      read(FILES.key),
      read(FILES.cert),
      read(FILES.chain),
    ]);
    let meta: Omit<Identity, 'privateKeyPem' | 'certificatePem' | 'caChainPems'> & {
      pop?: unknown;
    };
    try {
      meta = JSON.parse(metaText);
    } catch (err) {
      throw new IdentityError(
        'identity_corrupt',
        `identity in ${this.#dir}: ${FILES.meta} is not JSON`,
        { cause: err },
      );
    }
    // Identities saved by earlier versions name the region `pop`: they stay usable after an
    // update, and the next save writes `region`.
    if (meta.region === undefined && typeof meta.pop === 'string') meta.region = meta.pop;
    for (const field of ['connectorId', 'groupId', 'region', 'hostname', 'enrolledAt'] as const) {
      if (typeof meta[field] !== 'string' || meta[field] === '') {
        throw new IdentityError(
          'identity_corrupt',
          `identity in ${this.#dir}: ${FILES.meta} lacks ${field}`,
        );
      }
    }
    if (!keyMatchesCertificate(privateKeyPem, certificatePem)) {
      throw new IdentityError(
        'identity_corrupt',
        `identity in ${this.#dir}: the private key does not match the certificate; move the directory away to enroll again`,
      );
    }
    const caChainPems = splitPems(chainText);
    if (caChainPems.length === 0) {
      throw new IdentityError(
        'identity_corrupt',
        `identity in ${this.#dir}: ${FILES.chain} holds no certificate`,
      );
    }
    const loaded: Identity = {
      connectorId: meta.connectorId,
      groupId: meta.groupId,
      region: meta.region,
      hostname: meta.hostname,
      gateways: Array.isArray(meta.gateways) ? meta.gateways : [],
      enrolledAt: meta.enrolledAt,
      ...(meta.renewedAt ? { renewedAt: meta.renewedAt } : {}),
      ...(typeof meta.tunnel?.tlsCryptKey === 'string' && typeof meta.tunnel.cipher === 'string'
        ? { tunnel: { tlsCryptKey: meta.tunnel.tlsCryptKey, cipher: meta.tunnel.cipher } }
        : {}),
      certificatePem,
      caChainPems,
      privateKeyPem,
    };
    try {
      return checkedIdentity(loaded);
    } catch (err) {
      if (!(err instanceof SseProtocolError)) throw err;
      throw new IdentityError(
        'identity_corrupt',
        `identity in ${this.#dir} holds a value that cannot be used (${err.message}); move the directory away to enroll again`,
        { cause: err },
      );
    }
  }

  /** Stores `identity` as the current one, atomically; the previous one is removed afterwards. */
  async save(identity: Identity): Promise<void> {
    const previous = await this.#currentDirName();
    let fresh: string;
    try {
      fresh = await mkdtemp(join(this.#dir, DIR_PREFIX));
      await chmod(fresh, 0o700);
    } catch (err) {
      throw new IdentityError(
        'data_dir_unusable',
        `cannot write the identity into ${this.#dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        { cause: err },
      );
    }
    const { privateKeyPem, certificatePem, caChainPems, ...meta } = identity;
    await writeNewFile(join(fresh, FILES.key), privateKeyPem);
    await writeNewFile(join(fresh, FILES.cert), certificatePem);
    await writeNewFile(join(fresh, FILES.chain), caChainPems.map((p) => `${p.trim()}\n`).join(''));
    await writeNewFile(join(fresh, FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
    await syncDir(fresh);
    await this.#afterStep?.('files-written');

    const linkTmp = join(this.#dir, LINK_TMP);
    await unlink(linkTmp).catch(() => undefined);
    // Relative target, so the data directory can be mounted anywhere.
    await symlink(fresh.slice(this.#dir.length + 1), linkTmp);
    await this.#afterStep?.('link-created');
    await rename(linkTmp, join(this.#dir, CURRENT));
    await syncDir(this.#dir);
    await this.#afterStep?.('switched');
    if (previous !== undefined) {
      await rm(join(this.#dir, previous), { recursive: true, force: true });
    }
  }

  /** Name of the directory the `identity` link points to. */
  async #currentDirName(): Promise<string | undefined> {
    const path = join(this.#dir, CURRENT);
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (st.isSymbolicLink()) {
      const target = await readlink(path);
      if (target.includes('/')) {
        throw new IdentityError(
          'identity_corrupt',
          `identity link in ${this.#dir} points outside it (${target})`,
        );
      }
      return target;
    }
    throw new IdentityError(
      'identity_corrupt',
      `${path} should be a link to the current identity directory; it is not (move it away to enroll again)`,
    );
  }

  async #tighten(path: string, mode: number): Promise<void> {
    const before = (await stat(path)).mode & 0o777;
    if ((before & ~mode) === 0) return;
    await chmod(path, before & mode);
    this.#log.warn(
      { path, from: `0${before.toString(8)}`, to: `0${(before & mode).toString(8)}` },
      'tightened permissions: identity files must be readable by the connector only',
    );
  }
}

/** Creates `path` (it must not exist) with mode 0600 from the start, and flushes it to disk. */
async function writeNewFile(path: string, data: string): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function splitPems(text: string): string[] {
  return (
    text
      .match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)
      ?.map((p) => `${p}\n`) ?? []
  );
}
