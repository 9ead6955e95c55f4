import type { ReleaseManifest } from '@pa-connector/sse-api';

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
    this.data.release = manifest;
  }
}
