import {
  getInternalApi,
  type InternalApiPostOptions,
  InternalApiRoutes,
  type ReleaseManifest,
  readReleaseManifest,
} from '@pa-connector/sse-api';
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
      if (r.status === 404) return undefined;
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
