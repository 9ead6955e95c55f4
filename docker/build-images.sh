#!/usr/bin/env bash
# Builds the images of the POP from this checkout:
#   pa-connector/{connector,logging,update,pop-manager}:<version>  the four services
#   pa-connector/redis:<version>                                   Debian's redis-server
#   pa-connector/emulator:<version>                                the SSE emulator (demo profile)
#
#   docker/build-images.sh [--tag VERSION] [--base-image IMAGE] [--only a,b] [--no-compile] [--force]
#
# The workspace is compiled on the host (tsc -b), each service is copied with its production
# dependencies by `pnpm deploy` into a build context of its own, and the Dockerfile in
# docker/<image>/ copies it onto the base image (with the files of docker/common/). So a build
# needs `pnpm install` done, but no
# registry access inside `docker build` (only the connector and redis images run apt-get there).
#
# --tag VERSION      image tag and PA_VERSION of the services (default: the release version in
#                    docker/release-version, e.g. v1.0.0.3, and the images are tagged :latest too)
# --base-image IMG   base of every image (default: node:20-bookworm-slim for the services and the
#                    emulator, debian:bookworm-slim for redis). Offline: pa-base:bookworm from
#                    docker/build-base-image.sh.
# --only LIST        comma-separated subset of: connector,logging,update,pop-manager,redis,emulator
# --no-compile       skip `tsc -b` (dist/ already built)
# --force            rebuild even when an image with the same tag was built from identical input
#
# BuildKit is used when some docker client here can drive it (`docker buildx`, or a client older
# than 23 with DOCKER_BUILDKIT=1, such as Debian's /usr/bin/docker): with the vfs storage driver
# the classic builder copies the whole image for every Dockerfile instruction (about 10 s each).
#
# An image is skipped when the tag exists and its label org.pa-connector.input-hash equals the
# hash of its build context, base image and version.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
all_images=(connector logging update pop-manager redis emulator)

die() {
  echo "build-images: $*" >&2
  exit 1
}

# A bad argument: exit 64 as in docs/exit-codes.md (every other failure is 1).
usage_error() {
  echo "build-images: $*" >&2
  exit 64
}

# An option's value; an empty one is a mistake (an unset variable), never the option left out.
value_of() {
  [ -n "$2" ] || usage_error "$1: the value is empty"
  printf '%s' "$2"
}

version=
tag_latest=0
base_image=
only=
compile=1
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) [ $# -ge 2 ] || usage_error "--tag needs a value"; version=$(value_of --tag "$2"); shift ;;
    --tag=*) version=$(value_of --tag "${1#--tag=}") ;;
    --base-image) [ $# -ge 2 ] || usage_error "--base-image needs a value"; base_image=$(value_of --base-image "$2"); shift ;;
    --base-image=*) base_image=$(value_of --base-image "${1#--base-image=}") ;;
    --only) [ $# -ge 2 ] || usage_error "--only needs a value"; only=$(value_of --only "$2"); shift ;;
    --only=*) only=$(value_of --only "${1#--only=}") ;;
    --no-compile) compile=0 ;;
    --force) force=1 ;;
    -h | --help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) usage_error "unknown argument: $1 (see --help)" ;;
  esac
  shift
done

if [ -z "$version" ]; then
  tag_latest=1
  # The release's own four-part version (v1.0.0.3), not the packages' semver.
  version=$(tr -d '[:space:]' <"$here/release-version")
  [ -n "$version" ] || die "$here/release-version is empty; give --tag"
fi
[[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]] ||
  usage_error "--tag: \"$version\" is not a valid image tag (letters, digits, ._- ; at most 128)"
if [ -n "$base_image" ]; then
  [[ $base_image =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]] || usage_error "--base-image: not an image name: $base_image"
fi

images=()
if [ -n "$only" ]; then
  IFS=, read -r -a wanted <<<"$only"
  for w in "${wanted[@]}"; do
    case " ${all_images[*]} " in
      *" $w "*) images+=("$w") ;;
      *) usage_error "--only: unknown image \"$w\" (one of: ${all_images[*]})" ;;
    esac
  done
else
  images=("${all_images[@]}")
fi

command -v docker >/dev/null || die "docker is not installed"
command -v pnpm >/dev/null || die "pnpm is not installed"
docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running?)"

# Sets `builder` to the command that builds an image with BuildKit, or the classic builder.
choose_builder() {
  local client major
  for client in docker /usr/bin/docker; do
    command -v "$client" >/dev/null || continue
    if "$client" buildx version >/dev/null 2>&1; then
      builder=("$client" buildx build --load)
      return
    fi
    major=$("$client" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)
    if [[ $major =~ ^[0-9]+$ ]] && [ "$major" -lt 23 ]; then
      builder=(env DOCKER_BUILDKIT=1 "$client" build)
      return
    fi
  done
  echo "build-images: no BuildKit-capable docker client; using the classic builder (slow on vfs)" >&2
  builder=(env DOCKER_BUILDKIT=0 docker build)
}
builder=()
choose_builder

package_of() {
  case "$1" in
    emulator) echo "@pa-connector/sse-emulator" ;;
    redis) echo "" ;;
    *) echo "@pa-connector/$1" ;;
  esac
}

base_of() {
  if [ -n "$base_image" ]; then
    echo "$base_image"
  elif [ "$1" = redis ]; then
    echo "debian:bookworm-slim"
  else
    echo "node:20-bookworm-slim"
  fi
}

if [ "$compile" = 1 ]; then
  dirs=()
  for i in "${images[@]}"; do
    case "$i" in
      redis) ;;
      emulator) dirs+=("packages/sse-emulator") ;;
      pop-manager) dirs+=("services/$i" "packages/operator-cli") ;;
      *) dirs+=("services/$i") ;;
    esac
  done
  if [ ${#dirs[@]} -gt 0 ]; then
    echo "build-images: compiling ${dirs[*]}"
    (cd "$repo" && pnpm exec tsc -b "${dirs[@]}") || die "tsc -b failed"
  fi
fi

work=$(mktemp -d /tmp/pa-images.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The content of a build context, independent of timestamps and owners.
context_hash() {
  tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . | sha256sum | cut -d' ' -f1
}

for image in "${images[@]}"; do
  start=$(date +%s)
  ctx=$work/$image
  mkdir -p "$ctx"
  cp -a "$here/$image/." "$here/common/." "$ctx/"
  pkg=$(package_of "$image")
  if [ -n "$pkg" ]; then
    (cd "$repo" && pnpm --prefer-offline --filter "$pkg" --prod deploy "$ctx/app") >"$work/$image-deploy.log" 2>&1 || {
      tail -n 20 "$work/$image-deploy.log" >&2
      die "pnpm deploy of $pkg failed"
    }
    # A service is a program, not a library: its package.json lists no files, so the deploy
    # copies its whole folder. The image runs dist/ (pop-manager also serves static/).
    if [ "$image" != emulator ]; then
      rm -rf "$ctx/app/src" "$ctx/app/test" "$ctx/app/tsconfig.json"
    fi
    # Build bookkeeping, pnpm's state file and the .bin shims (which hold this context's
    # absolute path) have no place in an image, and would change the hash on every build.
    # pop-manager carries the operator CLI (pa-operator) for `pa_connector.sh` through docker exec.
    if [ "$image" = pop-manager ]; then
      (cd "$repo" && pnpm --prefer-offline --filter @pa-connector/operator-cli --prod deploy "$ctx/operator") \
        >>"$work/$image-deploy.log" 2>&1 || {
        tail -n 20 "$work/$image-deploy.log" >&2
        die "pnpm deploy of @pa-connector/operator-cli failed"
      }
    fi
    for d in "$ctx/app" "$ctx/operator"; do
      [ -d "$d" ] || continue
      find "$d" \( -name '*.tsbuildinfo' -o -name '.modules.yaml' \) -delete
      find "$d" -type d -name .bin -prune -exec rm -rf {} +
    done
  fi

  base=$(base_of "$image")
  base_id=$(docker image inspect -f '{{.Id}}' "$base" 2>/dev/null || echo "$base")
  hash=$( { context_hash "$ctx"; echo "$base_id $version"; } | sha256sum | cut -d' ' -f1)
  tag=pa-connector/$image:$version
  if [ "$force" = 0 ]; then
    have=$(docker image inspect -f '{{index .Config.Labels "org.pa-connector.input-hash"}}' "$tag" 2>/dev/null || true)
    if [ "$have" = "$hash" ]; then
      echo "build-images: $tag is up to date"
      [ "$tag_latest" = 0 ] || docker tag "$tag" "pa-connector/$image:latest"
      continue
    fi
  fi
  previous=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  echo "build-images: building $tag on $base"
  "${builder[@]}" \
    --build-arg "BASE_IMAGE=$base" \
    --build-arg "PA_VERSION=$version" \
    --label "org.pa-connector.input-hash=$hash" \
    -t "$tag" "$ctx" >"$work/$image-build.log" 2>&1 || {
    tail -n 30 "$work/$image-build.log" >&2
    die "docker build of $tag failed"
  }
  [ "$tag_latest" = 0 ] || docker tag "$tag" "pa-connector/$image:latest"
  # The image this build replaced under the tag, once nothing names it any more (on vfs each is
  # a full copy). Kept while a container or another tag still uses it.
  if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$tag")" ] &&
    [ "$(docker image inspect -f '{{len .RepoTags}}' "$previous" 2>/dev/null)" = 0 ]; then
    docker rmi "$previous" >/dev/null 2>&1 || true
  fi
  echo "build-images: built $tag in $(($(date +%s) - start)) s"
done
