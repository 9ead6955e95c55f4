import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tightenMode, writeSecretFile } from '@pa-connector/config';
import { generateTlsCryptKey, isTlsCryptKey } from './tls-crypt-key';

/** `<data-dir>/regions/<region>/tls-crypt.key` (0600). */
function tlsCryptKeyPath(dataDir: string, region: string): string {
  return join(dataDir, 'regions', region, 'tls-crypt.key');
}

/**
 * One tls-crypt key per region, made once and kept: connectors registered before a restart hold
 * it in their configuration, so it must not change. A file that is not a key stops the start
 * rather than being replaced (it may be an operator's mistake worth seeing).
 */
export async function loadOrCreateTlsCryptKeys(
  dataDir: string,
  regions: string[],
  random?: (n: number) => Buffer,
): Promise<{ keys: Record<string, string>; tightened: string[] }> {
  const keys: Record<string, string> = {};
  const tightened: string[] = [];
  for (const region of regions) {
    const path = tlsCryptKeyPath(dataDir, region);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text === undefined) {
      text = generateTlsCryptKey(random);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeSecretFile(path, text);
    } else {
      if (!isTlsCryptKey(text)) {
        throw new Error(`${path} is not an OpenVPN static key; restore it or remove it`);
      }
      if (await tightenMode(path)) tightened.push(path);
    }
    keys[region] = text;
  }
  return { keys, tightened };
}
