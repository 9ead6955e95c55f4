import type { PopServiceName } from '@pa-connector/redis-contracts';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Text, Timestamp } from './common';

export type { PopServiceName };

/** How a release names an image's content: `sha256:` and 64 lowercase hex digits. */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

export const ReleaseImage = Type.Object({
  /** e.g. "registry.local:5000/pa/connector:1.0.1" */
  image: Text(),
  digest: Type.String({ pattern: IMAGE_DIGEST.source, description: 'sha256:<64 hex>' }),
});
export type ReleaseImage = Static<typeof ReleaseImage>;

/** One optional image per POP service; services a POP does not know are ignored by it. */
export const ReleaseImages = Type.Object({
  logging: Type.Optional(ReleaseImage),
  connector: Type.Optional(ReleaseImage),
  update: Type.Optional(ReleaseImage),
  'pop-manager': Type.Optional(ReleaseImage),
} satisfies Record<PopServiceName, TSchema>);

export const ReleaseManifest = Type.Object({
  version: Text(),
  publishedAt: Timestamp,
  /** POPs older than this must be upgraded by hand. */
  minAutoUpgradeVersion: Type.Optional(Type.String()),
  images: ReleaseImages,
});
export type ReleaseManifest = Static<typeof ReleaseManifest>;
