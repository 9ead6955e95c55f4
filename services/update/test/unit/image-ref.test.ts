import { hasDigest, pinnedRef, repositoryOf } from '../../src/engine/image-ref';

const D1 = `sha256:${'a1'.repeat(32)}`;
const D2 = `sha256:${'b2'.repeat(32)}`;

describe('repositoryOf', () => {
  it.each([
    ['registry:5000/pa/logging:1.0.1', 'registry:5000/pa/logging'],
    ['registry:5000/pa/logging', 'registry:5000/pa/logging'],
    [`registry:5000/pa/logging@${D1}`, 'registry:5000/pa/logging'],
    [`registry:5000/pa/logging:1.0.1@${D1}`, 'registry:5000/pa/logging'],
    ['localhost:5000/connector', 'localhost:5000/connector'],
    ['[fd00::5]:5000/pa/update:2', '[fd00::5]:5000/pa/update'],
    ['ghcr.io/acme/pa-connector:1.0.0-rc1', 'ghcr.io/acme/pa-connector'],
    ['redis', 'redis'],
    ['redis:7.2-alpine', 'redis'],
    [`redis@${D1}`, 'redis'],
    ['docker.io/library/redis:7', 'docker.io/library/redis'],
    ['pa/logging:1.0.1', 'pa/logging'],
  ])('%s -> %s', (ref, repo) => {
    expect(repositoryOf(ref)).toBe(repo);
  });
});

describe('hasDigest', () => {
  it('finds the digest of a private registry with a port', () => {
    const digests = [`registry:5000/pa/logging@${D1}`];
    expect(hasDigest(digests, 'registry:5000/pa/logging:1.0.1', D1)).toBe(true);
    expect(hasDigest(digests, `registry:5000/pa/logging@${D1}`, D1)).toBe(true);
    expect(hasDigest(digests, 'registry:5000/pa/logging:1.0.1', D2)).toBe(false);
    // Same path on another registry (or another port) is another repository.
    expect(hasDigest(digests, 'registry:5001/pa/logging:1.0.1', D1)).toBe(false);
    expect(hasDigest(digests, 'pa/logging:1.0.1', D1)).toBe(false);
    expect(hasDigest(digests, 'registry:5000/pa/logging-old:1.0.1', D1)).toBe(false);
  });

  it('looks through every RepoDigests entry', () => {
    const digests = [`registry:5000/pa/update@${D2}`, `mirror:443/pa/update@${D1}`];
    expect(hasDigest(digests, 'mirror:443/pa/update:3', D1)).toBe(true);
    expect(hasDigest(digests, 'registry:5000/pa/update:3', D2)).toBe(true);
    expect(hasDigest(digests, 'registry:5000/pa/update:3', D1)).toBe(false);
    expect(hasDigest([], 'registry:5000/pa/update:3', D1)).toBe(false);
  });

  it('matches Docker Hub names in their long and short forms', () => {
    // The engine reports Docker Hub repositories short: `redis`, `pa/logging`.
    expect(hasDigest([`redis@${D1}`], 'redis:7', D1)).toBe(true);
    expect(hasDigest([`redis@${D1}`], 'docker.io/library/redis:7', D1)).toBe(true);
    expect(hasDigest([`redis@${D1}`], 'index.docker.io/library/redis:7', D1)).toBe(true);
    expect(hasDigest([`redis@${D1}`], 'library/redis', D1)).toBe(true);
    expect(hasDigest([`pa/logging@${D1}`], 'docker.io/pa/logging:1.0.1', D1)).toBe(true);
    expect(hasDigest([`docker.io/pa/logging@${D1}`], 'pa/logging:1.0.1', D1)).toBe(true);
    expect(hasDigest([`docker.io/library/redis@${D1}`], 'redis', D1)).toBe(true);
    expect(hasDigest([`redis@${D1}`], 'docker.io/library/redis:7', D2)).toBe(false);
    expect(hasDigest([`redis@${D1}`], 'docker.io/pa/redis:7', D1)).toBe(false);
    expect(hasDigest([`pa/logging@${D1}`], 'registry:5000/pa/logging:1.0.1', D1)).toBe(false);
  });
});

describe('pinnedRef', () => {
  it('swaps the tag for the digest', () => {
    expect(pinnedRef('registry:5000/pa/logging:1.0.1', D1)).toBe(`registry:5000/pa/logging@${D1}`);
    expect(pinnedRef('registry:5000/pa/logging', D1)).toBe(`registry:5000/pa/logging@${D1}`);
    expect(pinnedRef('redis:7', D1)).toBe(`redis@${D1}`);
    expect(pinnedRef('docker.io/pa/logging:1', D1)).toBe(`docker.io/pa/logging@${D1}`);
  });

  it('replaces a digest the reference already had', () => {
    expect(pinnedRef(`registry:5000/pa/logging:1.0.0@${D2}`, D1)).toBe(
      `registry:5000/pa/logging@${D1}`,
    );
    expect(pinnedRef(`registry:5000/pa/logging@${D2}`, D1)).toBe(`registry:5000/pa/logging@${D1}`);
  });
});
