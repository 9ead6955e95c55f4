import {
  getInternalApi,
  type InternalApiPostOptions,
  InternalApiRoutes,
  type ReleaseManifest,
  readReleaseManifest,
  SseErrorCode,
} from '@pa-connector/sse-api/internal-api';
import { UpdateError } from '../update-error';

/** The release manifest, read through the connector's internal API. */
export class ReleaseSource {
  readonly #o: InternalApiPostOptions;

  constructor(o: InternalApiPostOptions) {
    this.#o = o;
  }

  /** The published release, undefined when none is; throws UpdateError otherwise. */
  async fetch(): Promise<ReleaseManifest | undefined> {
    const r = await getInternalApi(this.#o, InternalApiRoutes.release, 'manifest_timeout');
    if ('code' in r) {
      // The SSE's own "nothing published", passed through by the connector.
      if (r.status === 404 && r.code === SseErrorCode.notFound) return undefined;
      if (r.status === 404) {
        throw new UpdateError(
          'no_release_route',
          `release manifest: the connector has no ${InternalApiRoutes.release} (${r.message}); is it older than this update service?`,
          true,
        );
      }
      throw new UpdateError(r.code, `release manifest: ${r.message}`, r.retryable, {
        cause: r.cause,
      });
    }
    try {
      return readReleaseManifest(r.body);
    } catch (err) {
      throw new UpdateError('bad_manifest', (err as Error).message, true, { cause: err });
    }
  }
}
