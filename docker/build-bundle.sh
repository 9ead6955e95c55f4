#!/usr/bin/env bash
# Builds PoPDeployment.tar, the bundle infra.sh installs from (flat, no directory):
#   images.tar       `docker save` of the four services and redis (and the emulator with
#                    --with-emulator), all at the release tag
#   compose.yaml     the stack, from this checkout
#   pa_connector.sh  the operator menu, from this checkout
#   release.json     {"version": "v1.0.0.3", "images": {"connector": {"image": "pa-connector/connector:v1.0.0.3"}, ...}}
#
#   docker/build-bundle.sh [--tag VERSION] [--out PATH] [--with-emulator] [--skip-build]
#                          [--base-image IMAGE]
#
# --tag VERSION      release version and image tag (default: docker/release-version, e.g. v1.0.0.3)
# --out PATH         where to write the bundle (default: ./PoPDeployment.tar)
# --with-emulator    save the emulator image as well (demo profile)
# --skip-build       do not run docker/build-images.sh: the images must exist at the tag
# --base-image IMG   passed to docker/build-images.sh (offline: pa-base:bookworm)
#
# The images are built by docker/build-images.sh, which reuses an image built from identical
# input. release.json carries no digest: a `docker save` of local images has none to give
# (infra.sh reads every "name:tag[@sha256:...]" string under "images", so a bare "sha256:..."
# value there would be taken for an image).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
services=(connector logging update pop-manager redis)

die() {
  echo "build-bundle: $*" >&2
  exit 1
}

# A bad argument: exit 64 as in docs/exit-codes.md (every other failure is 1).
usage_error() {
  echo "build-bundle: $*" >&2
  exit 64
}

# An option's value; an empty one is a mistake (an unset variable), never the option left out.
value_of() {
  [ -n "$2" ] || usage_error "$1: the value is empty"
  printf '%s' "$2"
}

version='' out="$PWD/PoPDeployment.tar" with_emulator=0 skip_build=0 base_image=''
while [ $# -gt 0 ]; do
  case $1 in
    --tag) [ $# -ge 2 ] || usage_error "--tag needs a value"; version=$(value_of --tag "$2"); shift ;;
    --tag=*) version=$(value_of --tag "${1#--tag=}") ;;
    --out) [ $# -ge 2 ] || usage_error "--out needs a value"; out=$(value_of --out "$2"); shift ;;
    --out=*) out=$(value_of --out "${1#--out=}") ;;
    --base-image) [ $# -ge 2 ] || usage_error "--base-image needs a value"; base_image=$(value_of --base-image "$2"); shift ;;
    --base-image=*) base_image=$(value_of --base-image "${1#--base-image=}") ;;
    --with-emulator) with_emulator=1 ;;
    --skip-build) skip_build=1 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown option: $1 (see --help)" ;;
  esac
  shift
done

build_args=()
if [ -n "$version" ]; then
  build_args+=(--tag "$version")
else
  version=$(tr -d '[:space:]' <"$repo/docker/release-version")
  [ -n "$version" ] || die "$repo/docker/release-version is empty; give --tag"
fi
[[ $version =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]] ||
  usage_error "--tag: \"$version\" is not a valid image tag (letters, digits, ._- ; at most 128)"
[ -n "$out" ] || usage_error "--out: empty path"
out_dir=$(dirname "$out")
[ -d "$out_dir" ] || usage_error "--out: directory $out_dir does not exist"
[ -w "$out_dir" ] || usage_error "--out: directory $out_dir is not writable"
[ -n "$base_image" ] && build_args+=(--base-image "$base_image")
command -v docker >/dev/null || die "docker is not installed"
docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running? are you in the docker group?)"

started=$SECONDS
[ "$with_emulator" = 1 ] && services+=(emulator)
if [ "$skip_build" = 0 ]; then
  only=$(IFS=,; echo "${services[*]}")
  "$here/build-images.sh" "${build_args[@]}" --only "$only" ||
    die "docker/build-images.sh failed (see above)"
fi

images=()
for s in "${services[@]}"; do
  image="pa-connector/$s:$version"
  docker image inspect "$image" >/dev/null 2>&1 ||
    die "image $image does not exist (run without --skip-build, or docker/build-images.sh --tag $version)"
  images+=("$image")
done

work=$(mktemp -d "$out_dir/.bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "build-bundle: saving ${#images[@]} images"
docker save -o "$work/images.tar" "${images[@]}" || die "docker save failed (see above)"
cp "$repo/compose.yaml" "$repo/pa_connector.sh" "$work/"
{
  printf '{\n  "version": "%s",\n  "images": {\n' "$version"
  last=$((${#services[@]} - 1))
  for i in "${!services[@]}"; do
    sep=','
    [ "$i" = "$last" ] && sep=''
    printf '    "%s": {"image": "%s"}%s\n' "${services[$i]}" "${images[$i]}" "$sep"
  done
  printf '  }\n}\n'
} >"$work/release.json"
tar -C "$work" -cf "$work/PoPDeployment.tar" images.tar compose.yaml pa_connector.sh release.json ||
  die "could not write the bundle"
mv "$work/PoPDeployment.tar" "$out"
size=$(du -m "$out" | cut -f1)
echo "build-bundle: $out ($size MB, version $version, ${#images[@]} images) in $((SECONDS - started)) s"
