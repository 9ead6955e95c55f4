import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterResponse } from '@pa-connector/sse-api';
import { spawnTracked, type TrackedProcess } from '@pa-connector/test-support';

/**
 * A real openvpn client to one gateway, in network namespace `netns`, made from the registration
 * answer alone (plus the private key); files under `dir` (0600).
 */
export function startOpenvpnClient(o: {
  reg: RegisterResponse;
  gatewayIndex: number;
  keyPem: string;
  netns: string;
  dir: string;
  certPem?: string;
}): TrackedProcess {
  const g = o.reg.gateways[o.gatewayIndex];
  if (!g || !o.reg.tunnel || !g.serverName) throw new Error('registration lacks tunnel settings');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {
    'ca.crt': o.reg.caChain.join(''),
    'client.crt': o.certPem ?? o.reg.certificate,
    'client.key': o.keyPem,
    'tls-crypt.key': o.reg.tunnel.tlsCryptKey,
  };
  for (const [f, v] of Object.entries(files)) writeFileSync(join(o.dir, f), v, { mode: 0o600 });
  const conf = [
    'client',
    'dev tun',
    `proto ${g.protocol === 'udp' ? 'udp' : 'tcp-client'}`,
    `remote ${g.host} ${g.port}`,
    'nobind',
    `cd ${o.dir}`,
    'ca ca.crt',
    'cert client.crt',
    'key client.key',
    'tls-crypt tls-crypt.key',
    'remote-cert-tls server',
    `verify-x509-name ${g.serverName} name`,
    `data-ciphers ${o.reg.tunnel.cipher}`,
    'connect-retry 1',
    'verb 3',
  ].join('\n');
  writeFileSync(join(o.dir, 'client.conf'), conf, { mode: 0o600 });
  return spawnTracked('ip', [
    'netns',
    'exec',
    o.netns,
    'openvpn',
    '--config',
    join(o.dir, 'client.conf'),
  ]);
}
