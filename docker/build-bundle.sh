#!/usr/bin/env bash
# Builds PoPDeployment.tar, the bundle infra.sh installs from (flat, no directory):
#   images.tar       `docker save` of the four services and redis (and the emulator with
#                    --with-emulator), all at the release tag
#   compose.yaml     the stack, from this checkout
#   pa_connector.sh  the operator menu, from this checkout
#   release.json     {"version": "v1.0.0.3", "images": {"connector": {"image": "pa-connector/connector:v1.0.0.3"}, ...}}
#
# and, with --package, PoPPackage.tar beside it: the download an operator gets from the cloud,
#   Infrastructure.tar  vCenter/infra.sh, its cloud block filled from --cloud-env and --cloud-ca
#   PoPDeployment.tar   the bundle above
#
#   docker/build-bundle.sh [--tag VERSION] [--out PATH] [--with-emulator] [--skip-build]
#                          [--base-image IMAGE] [--images-tar FILE]
#                          [--package [--cloud-env FILE] [--cloud-ca FILE]]
#
# --tag VERSION      release version and image tag (default: docker/release-version, e.g. v1.0.0.3)
# --out PATH         where to write the bundle (default: ./PoPDeployment.tar)
# --with-emulator    save the emulator image as well (demo profile)
# --skip-build       do not run docker/build-images.sh: the images must exist at the tag
# --base-image IMG   passed to docker/build-images.sh (offline: pa-base:bookworm)
# --images-tar FILE  take images.tar from FILE (a `docker save` of the images at the tag) instead
#                    of building and saving them: no Docker needed
# --package          also write PoPPackage.tar beside the bundle
# --cloud-env FILE   the cloud's endpoints for infra.sh: KEY=value lines, keys among PA_CLOUD_DOMAIN
#                    PA_CLOUD_PROFILE PA_REGISTRATION_URL PA_TOKEN_URL PA_CATALOG_URL
#                    PA_COLLECTOR_URLS PA_REGISTRY PA_SSE_URLS (blank and # lines are dropped)
# --cloud-ca FILE    the PEM certificate of the CA of the cloud's servers, for infra.sh
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

version='' out="$PWD/PoPDeployment.tar" with_emulator=0 skip_build=0 base_image='' images_tar=''
package=0 cloud_env_file='' cloud_ca_file=''
while [ $# -gt 0 ]; do
  case $1 in
    --tag) [ $# -ge 2 ] || usage_error "--tag needs a value"; version=$(value_of --tag "$2"); shift ;;
    --tag=*) version=$(value_of --tag "${1#--tag=}") ;;
    --out) [ $# -ge 2 ] || usage_error "--out needs a value"; out=$(value_of --out "$2"); shift ;;
    --out=*) out=$(value_of --out "${1#--out=}") ;;
    --base-image) [ $# -ge 2 ] || usage_error "--base-image needs a value"; base_image=$(value_of --base-image "$2"); shift ;;
    --base-image=*) base_image=$(value_of --base-image "${1#--base-image=}") ;;
    --images-tar) [ $# -ge 2 ] || usage_error "--images-tar needs a value"; images_tar=$(value_of --images-tar "$2"); shift ;;
    --images-tar=*) images_tar=$(value_of --images-tar "${1#--images-tar=}") ;;
    --cloud-env) [ $# -ge 2 ] || usage_error "--cloud-env needs a value"; cloud_env_file=$(value_of --cloud-env "$2"); shift ;;
    --cloud-env=*) cloud_env_file=$(value_of --cloud-env "${1#--cloud-env=}") ;;
    --cloud-ca) [ $# -ge 2 ] || usage_error "--cloud-ca needs a value"; cloud_ca_file=$(value_of --cloud-ca "$2"); shift ;;
    --cloud-ca=*) cloud_ca_file=$(value_of --cloud-ca "${1#--cloud-ca=}") ;;
    --package) package=1 ;;
    --with-emulator) with_emulator=1 ;;
    --skip-build) skip_build=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
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
if [ -n "$images_tar" ]; then
  [[ -f $images_tar && -r $images_tar ]] || usage_error "--images-tar: cannot read $images_tar"
  [[ $skip_build == 0 && -z $base_image ]] ||
    usage_error "--images-tar: the images are not built or saved, so --skip-build and --base-image do not apply"
fi
if [ "$package" = 0 ]; then
  [ -z "$cloud_env_file$cloud_ca_file" ] || usage_error "--cloud-env and --cloud-ca go with --package"
fi

# The cloud's endpoints as PKG_CLOUD_ENV: the contract of infra.sh's cloud block. Its values are
# single-quoted there, so no value may hold a single quote; infra.sh checks each value itself.
# The keys are infra.sh's own list.
cloud_keys=" $(sed -n "s/^readonly CLOUD_SETTINGS='\([A-Z_ ]*\)'$/\1/p" "$repo/infra.sh") "
[ "$cloud_keys" != '  ' ] || die "infra.sh has no CLOUD_SETTINGS list"
cloud_env='' cloud_ca=''
if [ -n "$cloud_env_file" ]; then
  [[ -f $cloud_env_file && -r $cloud_env_file ]] || usage_error "--cloud-env: cannot read $cloud_env_file"
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
    [[ $line =~ ^([A-Za-z0-9_]+)=(.*)$ ]] || usage_error "--cloud-env: line $n of $cloud_env_file is not KEY=value"
    [[ $cloud_keys == *" ${BASH_REMATCH[1]} "* ]] ||
      usage_error "--cloud-env: ${BASH_REMATCH[1]:0:40} (line $n) is not a cloud setting (one of$cloud_keys)"
    [[ $line != *"'"* ]] || usage_error "--cloud-env: line $n holds a single quote, which infra.sh's cloud block cannot carry"
    cloud_env+=$line$'\n'
  done <"$cloud_env_file"
  cloud_env=${cloud_env%$'\n'}
fi
if [ -n "$cloud_ca_file" ]; then
  [[ -f $cloud_ca_file && -r $cloud_ca_file ]] || usage_error "--cloud-ca: cannot read $cloud_ca_file"
  cloud_ca=$(tr -d '\r' <"$cloud_ca_file")
  [[ $cloud_ca == *'-----BEGIN CERTIFICATE-----'* ]] || usage_error "--cloud-ca: $cloud_ca_file holds no PEM certificate"
  [[ $cloud_ca != *"'"* ]] || usage_error "--cloud-ca: $cloud_ca_file holds a single quote"
fi

# infra.sh with its cloud block filled: the two empty values between the markers replaced.
fill_cloud_block() {
  local line state=before filled=0
  while IFS= read -r line || [ -n "$line" ]; do
    case $state:$line in
      'before:# >>> cloud package settings'*) state=in ;;
      "in:PKG_CLOUD_ENV=''") line="PKG_CLOUD_ENV='$cloud_env'" filled=$((filled + 1)) ;;
      "in:PKG_CLOUD_CA=''") line="PKG_CLOUD_CA='$cloud_ca'" filled=$((filled + 1)) ;;
      'in:# <<< cloud package settings') state=after ;;
      in:*) die "infra.sh: unexpected line in its cloud block: $line" ;;
    esac
    printf '%s\n' "$line"
  done <"$repo/infra.sh"
  [[ $state == after && $filled == 2 ]] || die "infra.sh has no cloud block with PKG_CLOUD_ENV='' and PKG_CLOUD_CA=''"
}

started=$SECONDS
[ "$with_emulator" = 1 ] && services+=(emulator)
images=()
for s in "${services[@]}"; do
  images+=("pa-connector/$s:$version")
done

if [ -z "$images_tar" ]; then
  command -v docker >/dev/null || die "docker is not installed"
  docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running? are you in the docker group?)"
  if [ "$skip_build" = 0 ]; then
    only=$(IFS=,; echo "${services[*]}")
    "$here/build-images.sh" "${build_args[@]}" --only "$only" ||
      die "docker/build-images.sh failed (see above)"
  fi
  for image in "${images[@]}"; do
    docker image inspect "$image" >/dev/null 2>&1 ||
      die "image $image does not exist (run without --skip-build, or docker/build-images.sh --tag $version)"
  done
fi

work=$(mktemp -d "$out_dir/.bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ -n "$images_tar" ]; then
  echo "build-bundle: images.tar from $images_tar"
  cp "$images_tar" "$work/images.tar"
else
  echo "build-bundle: saving ${#images[@]} images"
  docker save -o "$work/images.tar" "${images[@]}" || die "docker save failed (see above)"
fi
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
if [ "$package" = 1 ]; then
  mkdir -p "$work/pkg/vCenter"
  fill_cloud_block >"$work/pkg/vCenter/infra.sh"
  chmod 0755 "$work/pkg/vCenter/infra.sh"
  # infra.sh checks its cloud block before anything else: a value it would refuse stops the build.
  bash "$work/pkg/vCenter/infra.sh" --help >/dev/null || die "the filled infra.sh refuses its cloud settings (see above)"
  tar -C "$work/pkg" -cf "$work/Infrastructure.tar" vCenter/infra.sh || die "could not write Infrastructure.tar"
  mv "$work/PoPDeployment.tar" "$work/pkg/PoPDeployment.tar"
  mv "$work/Infrastructure.tar" "$work/pkg/Infrastructure.tar"
  tar -C "$work/pkg" -cf "$work/PoPPackage.tar" Infrastructure.tar PoPDeployment.tar || die "could not write PoPPackage.tar"
  cp "$work/pkg/PoPDeployment.tar" "$out"
  mv "$work/PoPPackage.tar" "$out_dir/PoPPackage.tar"
  echo "build-bundle: $out_dir/PoPPackage.tar (Infrastructure.tar with vCenter/infra.sh$([ -n "$cloud_env$cloud_ca" ] && echo ", the cloud's settings filled in"), and PoPDeployment.tar)"
else
  mv "$work/PoPDeployment.tar" "$out"
fi
size=$(du -m "$out" | cut -f1)
echo "build-bundle: $out ($size MB, version $version, ${#images[@]} images) in $((SECONDS - started)) s"
