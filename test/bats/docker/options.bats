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
