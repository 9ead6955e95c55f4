#!/usr/bin/env bats
# docker/init-secrets.sh (run as root) in a secrets directory that uid 10001 owns and the demo's
# provisioner container writes into: a link planted there is refused and what it points at is left
# as it was; an option given an empty value is refused.

bats_require_minimum_version 1.5.0

setup() {
  [ "$EUID" -eq 0 ] || skip_reason='needs root (chown)'
  # A copy in a project directory of its own: relative paths (and, before this was fixed, an
  # empty --dir=) resolve there, never in the checkout.
  mkdir -p "$BATS_TEST_TMPDIR/project/docker"
  SCRIPT=$BATS_TEST_TMPDIR/project/docker/init-secrets.sh
  cp "$BATS_TEST_DIRNAME/../../../docker/init-secrets.sh" "$SCRIPT"
  DIR=$BATS_TEST_TMPDIR/secrets
  CONF=$BATS_TEST_TMPDIR/config
  VICTIM=$BATS_TEST_TMPDIR/victim
  printf 'root only\n' >"$VICTIM"
  chmod 0640 "$VICTIM"
}

init() {
  run bash "$SCRIPT" --dir="$DIR" --config-dir="$CONF" "$@" </dev/null
}

@test "first run: the three secrets, 0600, uid 10001" {
  [ "$EUID" -eq 0 ] || { echo "$skip_reason"; return 1; }
  init
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$(stat -c %a:%u:%g "$DIR/redis-password" "$DIR/internal-api-token" "$DIR/provisioning-key")" = \
    $'600:10001:10001\n600:10001:10001\n600:10001:10001' ]
  [ -s "$DIR/redis-password" ] && [ ! -s "$DIR/provisioning-key" ]
}

@test "a link planted in place of a secret is refused; its target keeps its mode, owner and content" {
  [ "$EUID" -eq 0 ] || { echo "$skip_reason"; return 1; }
  init
  local name
  for name in redis-password provisioning-key; do
    rm -f "$DIR/$name"
    ln -s "$VICTIM" "$DIR/$name"
    init
    [ "$status" -eq 1 ]
    [[ $output == *"refusing $DIR/$name: it is a symbolic link"* ]] || { echo "$output"; return 1; }
    [ "$(stat -c %a:%u:%g "$VICTIM")" = 640:0:0 ]
    [ "$(cat "$VICTIM")" = 'root only' ]
    rm -f "$DIR/$name"
  done
}

@test "an option given an empty value is refused, and nothing is written" {
  local opt
  for opt in --dir --config-dir --provisioning-key-file; do
    run bash "$SCRIPT" "$opt="
    [ "$status" -eq 64 ]
    [[ $output == *"$opt: the value is empty"* ]] || { echo "$output"; return 1; }
  done
  # Not the project directory taken for the secrets directory (chowned to 10001, secrets in it).
  [ "$(stat -c %a:%u "$BATS_TEST_TMPDIR/project")" = "$(stat -c %a:%u "$BATS_TEST_TMPDIR")" ]
  [ -z "$(find "$BATS_TEST_TMPDIR/project" -type f ! -name init-secrets.sh)" ]
}
