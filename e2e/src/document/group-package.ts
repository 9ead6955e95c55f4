import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun } from '../docker/command';

/** A group's PoPPackage.tar, downloaded and unpacked as the document says. */
export interface UnpackedPackage {
  /** The directory holding the download and what was unpacked of it (removable once copied). */
  dir: string;
  /** Its PoPDeployment.tar. */
  bundle: string;
  /** Its `vCenter/infra.sh` (from Infrastructure.tar), the cloud's block filled in. */
  infraScript: string;
}

/**
 * The operator's steps 9 to 11 of the document: download the group's PoPPackage.tar from the
 * cloud's admin API, unpack it and its Infrastructure.tar in a new directory `download` under
 * `parent`.
 */
export async function downloadGroupPackage(
  adminUrl: string,
  groupId: string,
  parent: string,
): Promise<UnpackedPackage> {
  const dir = join(parent, 'download');
  mkdirSync(dir);
  const res = await fetch(`${adminUrl}/admin/groups/${groupId}/package`, {
    signal: AbortSignal.timeout(300_000),
  });
  if (res.status !== 200) {
    throw new Error(`the group's package: the cloud answered ${res.status}: ${await res.text()}`);
  }
  const pkg = join(dir, 'PoPPackage.tar');
  writeFileSync(pkg, Buffer.from(await res.arrayBuffer()));
  const unpacked = join(dir, 'package');
  mkdirSync(join(unpacked, 'infra'), { recursive: true });
  await mustRun('tar', ['-xf', pkg, '-C', unpacked]);
  await mustRun('tar', [
    '-xf',
    join(unpacked, 'Infrastructure.tar'),
    '-C',
    join(unpacked, 'infra'),
  ]);
  return {
    dir,
    bundle: join(unpacked, 'PoPDeployment.tar'),
    infraScript: join(unpacked, 'infra', 'vCenter', 'infra.sh'),
  };
}

/**
 * Step 12: PoPDeployment.tar and infra.sh copied to a VM's directory. A copy each, not a hard
 * link: infra.sh locks the bundle file it installs from (one install at a time per VM), and two
 * links to one file would make two VMs wait for each other.
 */
export function copyPackageTo(p: UnpackedPackage, vmDir: string): void {
  copyFileSync(p.bundle, join(vmDir, 'PoPDeployment.tar'));
  copyFileSync(p.infraScript, join(vmDir, 'infra.sh'));
}
