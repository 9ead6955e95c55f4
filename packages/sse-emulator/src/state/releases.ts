import type { ReleaseManifest } from '@pa-connector/sse-api';

/**
 * The oldest version that may upgrade itself, when a published manifest names none: the
 * product's documentation offers automatic upgrade only from v1.0.0.3 on. A manifest may name
 * another (`0` lets every POP upgrade itself).
 */
export const DEFAULT_MIN_AUTO_UPGRADE_VERSION = 'v1.0.0.3';

/** The release manifest the update service reads, as persisted under `release` in `state.json`. */
export interface ReleaseData {
  release: ReleaseManifest | null;
}

/** The one published release manifest; none until an admin sets it. */
export class Releases {
  constructor(private readonly data: ReleaseData) {}

  current(): ReleaseManifest | null {
    return this.data.release;
  }

  set(manifest: ReleaseManifest | null): void {
    this.data.release =
      manifest === null
        ? null
        : {
            ...manifest,
            minAutoUpgradeVersion:
              manifest.minAutoUpgradeVersion ?? DEFAULT_MIN_AUTO_UPGRADE_VERSION,
          };
  }
}
