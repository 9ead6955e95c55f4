/**
 * The repository of an image reference: `registry:5000/pa/logging:1.0.1` and
 * `registry:5000/pa/logging@sha256:...` both give `registry:5000/pa/logging`.
 */
export function repositoryOf(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * Docker Hub names come back from the engine in their short form (`pa/logging` for
 * `docker.io/pa/logging`, `redis` for `docker.io/library/redis`): compare in that form.
 */
function shortRepository(repo: string): string {
  return repo.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '');
}

/** True when `repoDigests` (an image's RepoDigests) holds `digest` for the repository of `ref`. */
export function hasDigest(repoDigests: readonly string[], ref: string, digest: string): boolean {
  const want = `${shortRepository(repositoryOf(ref))}@${digest}`;
  return repoDigests.some((d) => shortRepository(d) === want || d === want);
}

/** The exact reference of a digest: `registry:5000/pa/logging@sha256:...`. */
export function pinnedRef(ref: string, digest: string): string {
  return `${repositoryOf(ref)}@${digest}`;
}
