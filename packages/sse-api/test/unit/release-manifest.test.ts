import { readReleaseManifest, SseProtocolError } from '../../src/client';

const DIGEST = `sha256:${'3a'.repeat(32)}`;

function manifest(images: unknown): Record<string, unknown> {
  return { version: '1.0.1.0', publishedAt: '2030-01-01T00:00:00.000Z', images };
}

function refusal(body: unknown): SseProtocolError {
  try {
    readReleaseManifest(body, 'https://sse.example');
  } catch (err) {
    expect(err).toBeInstanceOf(SseProtocolError);
    return err as SseProtocolError;
  }
  throw new Error('expected an SseProtocolError');
}

describe('readReleaseManifest', () => {
  it('reads a manifest with an image per service', () => {
    const body = {
      ...manifest({
        logging: { image: 'registry:5000/pa/logging:1.0.1.0', digest: DIGEST },
        connector: { image: 'registry:5000/pa/connector:1.0.1.0', digest: DIGEST },
        update: { image: 'registry:5000/pa/update:1.0.1.0', digest: DIGEST },
        'pop-manager': { image: 'registry:5000/pa/pop-manager:1.0.1.0', digest: DIGEST },
      }),
      minAutoUpgradeVersion: '1.0.0.0',
    };
    expect(readReleaseManifest(structuredClone(body))).toEqual(body);
  });

  it('keeps only image and digest of an entry, and takes a manifest without images listed', () => {
    const m = readReleaseManifest(
      manifest({ logging: { image: 'pa/logging:1', digest: DIGEST, size: 123 } }),
    );
    expect(m.images).toStrictEqual({ logging: { image: 'pa/logging:1', digest: DIGEST } });
    expect(m).not.toHaveProperty('minAutoUpgradeVersion');
    expect(readReleaseManifest(manifest({})).images).toStrictEqual({});
  });

  it('ignores services it does not know', () => {
    const m = readReleaseManifest(
      manifest({
        logging: { image: 'pa/logging:1', digest: DIGEST },
        'metrics-agent': { image: 'pa/metrics-agent:1', digest: 'not-a-digest' },
        future: 'anything',
      }),
    );
    expect(m.images).toStrictEqual({ logging: { image: 'pa/logging:1', digest: DIGEST } });
  });

  it.each([
    ['sha256:abc', 'too short'],
    [`sha256:${'3A'.repeat(32)}`, 'uppercase'],
    [`sha512:${'3a'.repeat(32)}`, 'another algorithm'],
    [`${'3a'.repeat(32)}`, 'no algorithm'],
    [`sha256:${'3a'.repeat(32)}0`, 'too long'],
    [`sha256:${'3g'.repeat(32)}`, 'not hex'],
  ])('refuses digest %s (%s), naming the field', (digest) => {
    const e = refusal(manifest({ update: { image: 'pa/update:1', digest } }));
    expect(e.message).toContain('field images.update.digest is not sha256:<64 hex>');
    expect([e.endpoint, e.code, e.retryable, e.url]).toEqual([
      'release',
      'bad_response',
      false,
      'https://sse.example',
    ]);
  });

  it.each([
    [{ digest: DIGEST }, 'is missing images.connector.image'],
    [{ image: '', digest: DIGEST }, 'field images.connector.image is not a non-empty string'],
    [{ image: 42, digest: DIGEST }, 'field images.connector.image is not a non-empty string'],
    [{ image: 'pa/connector:1' }, 'is missing images.connector.digest'],
    ['pa/connector:1', 'field images.connector is not an object'],
    [null, 'field images.connector is not an object'],
  ])('refuses entry %j', (entry, why) => {
    expect(refusal(manifest({ connector: entry })).message).toContain(why);
  });

  it.each([
    [{ publishedAt: '2030-01-01T00:00:00Z', images: {} }, 'is missing version'],
    [{ version: '1', publishedAt: 'yesterday', images: {} }, 'field publishedAt is not a date'],
    [{ version: '1', publishedAt: '2030-01-01T00:00:00Z' }, 'is missing images'],
    [
      { version: '1', publishedAt: '2030-01-01T00:00:00Z', images: [] },
      'field images is not an object',
    ],
    ['1.0.1', 'body is not an object'],
  ])('refuses manifest %j', (body, why) => {
    expect(refusal(body).message).toContain(why);
  });
});
