#!/usr/bin/env bats
# The image and bundle scripts refuse an option given an empty value (an unset variable in a
# caller's script) instead of building with a default: exit 64 naming the option, before anything runs.

bats_require_minimum_version 1.5.0

@test "every option with a value refuses an empty one, in both spellings" {
  local spec script opt
  for spec in build-base-image.sh:--image build-base-image.sh:--mirror build-bundle.sh:--tag \
    build-bundle.sh:--out build-bundle.sh:--base-image build-bundle.sh:--images-tar \
    build-bundle.sh:--cloud-env build-bundle.sh:--cloud-ca build-images.sh:--tag \
    build-images.sh:--base-image build-images.sh:--only; do
    script=$BATS_TEST_DIRNAME/../../../docker/${spec%%:*}
    opt=${spec#*:}
    run bash "$script" "$opt="
    [ "$status" -eq 64 ] && [[ $output == *"$opt: the value is empty"* ]] || { echo "$spec=: $output"; return 1; }
    run bash "$script" "$opt" ''
    [ "$status" -eq 64 ] && [[ $output == *"$opt: the value is empty"* ]] || { echo "$spec '': $output"; return 1; }
  done
}

@test "releases are four-part versions: docker/release-version is one, and both scripts take it as a tag" {
  local docker_dir=$BATS_TEST_DIRNAME/../../../docker script
  [[ $(<"$docker_dir/release-version") =~ ^v[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
  # Past the tag's check, each script stops at the next bad option: the tag was accepted.
  run bash "$docker_dir/build-bundle.sh" --tag v1.0.0.3 --out "$BATS_TEST_TMPDIR/none/x.tar"
  [ "$status" -eq 64 ] && [[ $output == *"--out: directory"*"does not exist"* ]] || { echo "$output"; return 1; }
  run bash "$docker_dir/build-images.sh" --tag v1.0.0.3 --base-image 'not an image!'
  [ "$status" -eq 64 ] && [[ $output == *"--base-image: not an image name"* ]] || { echo "$output"; return 1; }
}
