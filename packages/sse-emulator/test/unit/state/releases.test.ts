import type { ReleaseManifest } from '@pa-connector/sse-api';
import { DEFAULT_MIN_AUTO_UPGRADE_VERSION, Releases } from '../../../src/state/releases';

const manifest: ReleaseManifest = {
  version: 'v1.0.0.4',
  publishedAt: '2026-01-01T00:00:00.000Z',
  images: {},
};

describe('Releases', () => {
  it('has no manifest until one is published', () => {
    expect(new Releases({ release: null }).current()).toBeNull();
  });

  it('a manifest without a minimum for automatic upgrade gets v1.0.0.3, as the product documents', () => {
    const r = new Releases({ release: null });
    r.set(manifest);
    expect(DEFAULT_MIN_AUTO_UPGRADE_VERSION).toBe('v1.0.0.3');
    expect(r.current()).toStrictEqual({ ...manifest, minAutoUpgradeVersion: 'v1.0.0.3' });
  });

  it("keeps a manifest's own minimum, and can be withdrawn", () => {
    const data = { release: null as ReleaseManifest | null };
    const r = new Releases(data);
    r.set({ ...manifest, minAutoUpgradeVersion: '0' });
    expect(data.release?.minAutoUpgradeVersion).toBe('0');
    r.set(null);
    expect(r.current()).toBeNull();
  });
});
