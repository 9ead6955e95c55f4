import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, runCommand } from './command';

/** What a derived image changes on top of its base; everything else is the base's. */
export interface DeriveOptions {
  labels?: Record<string, string>;
  /** Exec form: the new image's CMD. */
  cmd?: string[];
  env?: Record<string, string>;
}

/** The parts of an image manifest (schema 2) the tests compare. */
export interface RegistryManifest {
  /** `Docker-Content-Digest`, checked against the SHA-256 of the body. */
  digest: string;
  mediaType: string;
  config: { digest: string; size: number };
  layers: { digest: string; size: number }[];
}

const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;
// host/name[:tag], the host being what startRegistry() hands out (or any host[:port]).
const REMOTE =
  /^([^/]+)\/([a-z0-9]+(?:(?:[._]|__|-+|\/)[a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BUILD_TIMEOUT_MS = 600_000;

interface Builder {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

let builder: Promise<Builder> | undefined;

/**
 * BuildKit when some client here can drive it (as docker/build-images.sh decides): the classic
 * builder makes a container, so a full copy of the image under vfs, for every instruction, even
 * a LABEL.
 */
async function chooseBuilder(): Promise<Builder> {
  for (const client of ['docker', '/usr/bin/docker']) {
    const buildx = await runCommand(client, ['buildx', 'version']).catch(() => undefined);
    if (buildx?.code === 0) {
      return { command: client, args: ['buildx', 'build', '--load'], env: process.env };
    }
    // The client version prints even when the engine does not answer (the exit code is then 1).
    const v = await runCommand(client, ['version', '--format', '{{.Client.Version}}']).catch(
      () => undefined,
    );
    const major = Number(v?.stdout.trim().split('.')[0]);
    if (v && v.stdout.trim() !== '' && Number.isInteger(major) && major < 23) {
      return { command: client, args: ['build'], env: { ...process.env, DOCKER_BUILDKIT: '1' } };
    }
  }
  return { command: 'docker', args: ['build'], env: { ...process.env, DOCKER_BUILDKIT: '0' } };
}

/** `docker build -t <tag>` of `<contextDir>/Dockerfile`, with BuildKit where possible. */
export async function buildImage(contextDir: string, tag: string): Promise<void> {
  if (!IMAGE.test(tag)) throw new Error(`not an image reference: ${tag}`);
  builder ??= chooseBuilder();
  const b = await builder;
  await mustRun(
    b.command,
    [...b.args, '-t', tag, '-f', join(contextDir, 'Dockerfile'), contextDir],
    { env: b.env, timeoutMs: BUILD_TIMEOUT_MS },
  );
}

/** A double-quoted Dockerfile word: no variable expansion, no line breaks. */
function quote(what: string, s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
  if (/[\u0000-\u001f\u007f]/.test(s)) throw new Error(`${what} has a control character`);
  return `"${s.replace(/[\\"$]/g, '\\$&')}"`;
}

/**
 * Builds `tag` FROM `from` with new labels, environment or CMD and no new layer: the same
 * content under a new digest (a new release), or a broken release (a CMD that exits 1).
 */
export async function deriveImage(from: string, tag: string, o: DeriveOptions = {}): Promise<void> {
  if (!IMAGE.test(from)) throw new Error(`not an image reference: ${from}`);
  const lines = [`FROM ${from}`];
  const labels = Object.entries(o.labels ?? {});
  if (labels.length > 0) {
    lines.push(
      `LABEL ${labels.map(([k, v]) => `${quote(`label ${k}`, k)}=${quote(`label ${k}`, v)}`).join(' ')}`,
    );
  }
  const env = Object.entries(o.env ?? {});
  for (const [k] of env) if (!ENV_NAME.test(k)) throw new Error(`not an environment name: ${k}`);
  if (env.length > 0) {
    lines.push(`ENV ${env.map(([k, v]) => `${k}=${quote(`env ${k}`, v)}`).join(' ')}`);
  }
  if (o.cmd) lines.push(`CMD ${JSON.stringify(o.cmd)}`);
  const dir = mkdtempSync(join(tmpdir(), 'pa-derive-'));
  try {
    writeFileSync(join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
    await buildImage(dir, tag);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseRemote(ref: string): { host: string; name: string; tag: string } {
  const m = REMOTE.exec(ref);
  if (!m) throw new Error(`not a <host>/<name>[:<tag>] image reference: ${ref}`);
  return { host: m[1] as string, name: m[2] as string, tag: m[3] ?? 'latest' };
}

/**
 * `GET http://<host>/v2/<name>/manifests/<reference>` as schema 2; the digest is the registry's
 * `Docker-Content-Digest`, checked against the body it describes.
 */
export async function fetchManifest(
  host: string,
  name: string,
  reference: string,
): Promise<RegistryManifest> {
  const url = `http://${host}/v2/${name}/manifests/${reference}`;
  const res = await fetch(url, {
    headers: { Accept: MANIFEST_V2 },
    signal: AbortSignal.timeout(10_000),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) {
    throw new Error(`GET ${url} answered ${res.status}: ${body.toString('utf8').slice(0, 500)}`);
  }
  const digest = res.headers.get('docker-content-digest') ?? '';
  const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (digest !== actual) {
    throw new Error(`GET ${url}: Docker-Content-Digest ${digest} but the body hashes to ${actual}`);
  }
  const m = JSON.parse(body.toString('utf8')) as Omit<RegistryManifest, 'digest'>;
  if (m.mediaType !== MANIFEST_V2) throw new Error(`GET ${url}: media type ${m.mediaType}`);
  return { digest, mediaType: m.mediaType, config: m.config, layers: m.layers };
}

/**
 * `docker tag` + `docker push`; returns the manifest digest the registry serves for `remoteRef`
 * (`<host>/<name>:<tag>`), after checking that `docker push` reported the same one.
 */
export async function pushImage(localRef: string, remoteRef: string): Promise<string> {
  const { host, name, tag } = parseRemote(remoteRef);
  if (!IMAGE.test(localRef)) throw new Error(`not an image reference: ${localRef}`);
  await mustRun('docker', ['tag', localRef, remoteRef]);
  const push = await mustRun('docker', ['push', remoteRef], { timeoutMs: BUILD_TIMEOUT_MS });
  const pushed = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(push.stdout)?.[1];
  if (!pushed) throw new Error(`docker push ${remoteRef} printed no digest:\n${push.stdout}`);
  const { digest } = await fetchManifest(host, name, tag);
  if (digest !== pushed) {
    throw new Error(`docker push ${remoteRef} reported ${pushed}; the registry serves ${digest}`);
  }
  return digest;
}

/** `docker pull`; returns the manifest digest it pulled. */
export async function pullImage(ref: string): Promise<string> {
  if (!IMAGE.test(ref)) throw new Error(`not an image reference: ${ref}`);
  const r = await mustRun('docker', ['pull', ref], { timeoutMs: BUILD_TIMEOUT_MS });
  const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(r.stdout)?.[1];
  if (!digest) throw new Error(`docker pull ${ref} printed no digest:\n${r.stdout}`);
  return digest;
}

/**
 * `docker rmi <ref>`: untags `ref`, and deletes the image when it was its last name, so a later
 * pull really goes to the registry. False when there was no such image.
 */
export async function removeLocalImage(ref: string): Promise<boolean> {
  if (!IMAGE.test(ref)) throw new Error(`not an image reference: ${ref}`);
  const r = await runCommand('docker', ['rmi', ref], { timeoutMs: 120_000 });
  if (r.code === 0) return true;
  if (/No such image/i.test(r.stderr)) return false;
  throw new Error(`docker rmi ${ref} exited ${r.code}: ${r.stderr.trim()}`);
}
