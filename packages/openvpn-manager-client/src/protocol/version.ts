import { parseCount } from './fields';

export interface VersionInfo {
  /** The full title, e.g. `OpenVPN 2.6.14 x86_64-pc-linux-gnu [SSL (OpenSSL)] ...`. */
  openvpn: string;
  /** The release number alone, e.g. `2.6.14` (undefined if the title has none). */
  release: string | undefined;
  /** The management interface version OpenVPN speaks (5 on 2.6). */
  management: number | undefined;
  lines: string[];
}

/** Parses the reply to `version` (`OpenVPN Version: ...`, `Management Version: N`). */
export function parseVersion(lines: string[]): VersionInfo {
  let openvpn = '';
  let management: number | undefined;
  for (const line of lines) {
    if (line.startsWith('OpenVPN Version: ')) openvpn = line.slice('OpenVPN Version: '.length);
    else if (line.startsWith('Management Version: ')) {
      management = parseCount(line.slice('Management Version: '.length).trim());
    }
  }
  const release = /OpenVPN (\d+\.\d+(?:\.\d+)?[^\s]*)/.exec(openvpn)?.[1];
  return { openvpn, release, management, lines };
}
