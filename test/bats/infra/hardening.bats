#!/usr/bin/env bats
# infra.sh against a hostile host and careless input: links planted in the directories the
# services' user owns, PA_INFRA_* overrides that try to run code, options given an empty value,
# the provisioning key in the process list, and credentials in what infra.sh prints.

bats_require_minimum_version 1.5.0
load host
load stubs

setup_file() {
  link_host_tools
}

setup() {
  fake_host
  MARKER=$BATS_TEST_TMPDIR/pwned
}

install_ok() {
  infra --provision_key="$KEY" --gateway=us-east "$@"
  [ "$status" -eq 0 ] || { echo "exit $status: $output"; return 1; }
}

# ---- symbolic links -----------------------------------------------------------------------------

# A root-owned file outside the install that a link planted by the services' user points at.
victim() {
  VICTIM=$BATS_TEST_TMPDIR/victim
  printf 'root only\n' >"$VICTIM"
  chmod 0640 "$VICTIM"
  chown 0:0 "$VICTIM"
}

victim_untouched() {
  [ "$(stat -c %a:%u:%g "$VICTIM")" = 640:0:0 ] || { stat "$VICTIM"; return 1; }
  [ "$(cat "$VICTIM")" = 'root only' ]
}

@test "a link planted in place of a secret: its target keeps its mode, owner and content, and infra.sh says what it refused" {
  [ "$EUID" -eq 0 ] || { echo "this test needs root (chown)"; return 1; }
  victim
  install_ok
  local name
  for name in redis-password provisioning-key; do
    rm -f "$SECRETS/$name"
    ln -s "$VICTIM" "$SECRETS/$name"
    infra --gateway=us-east
    [ "$status" -eq 1 ] || { echo "$name: exit $status: $output"; return 1; }
    [[ $output == *"refusing $SECRETS/$name: it is a symbolic link"* ]] || { echo "$output"; return 1; }
    victim_untouched
    infra --provision_key="$KEY" --gateway=us-east
    [ "$status" -eq 1 ]
    victim_untouched
    rm -f "$SECRETS/$name"
  done
  install_ok
}

@test "a link planted in place of the secrets directory is refused, its target untouched" {
  [ "$EUID" -eq 0 ] || { echo "this test needs root (chown)"; return 1; }
  local target=$BATS_TEST_TMPDIR/victim-dir
  mkdir -m 0755 "$target"
  mkdir -p "$ETC"
  ln -s "$target" "$SECRETS"
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 1 ]
  [[ $output == *"refusing $SECRETS: it is a symbolic link"* ]]
  [ "$(stat -c %a:%u:%g "$target")" = 755:0:0 ]
  [ -z "$(ls -A "$target")" ]
}

@test "--uninstall removes a planted link without shredding what it points at" {
  [ "$EUID" -eq 0 ] || { echo "this test needs root (chown)"; return 1; }
  victim
  install_ok
  ln -s "$VICTIM" "$SECRETS/planted"
  infra --uninstall --yes
  [ "$status" -eq 0 ]
  victim_untouched
  [ ! -e "$ETC" ]
}

# ---- PA_INFRA_* overrides -----------------------------------------------------------------------

@test "an arithmetic injection through a PA_INFRA_* number does not run, and exits 64 naming it" {
  local name
  for name in PA_INFRA_MIN_CPUS PA_INFRA_MIN_MEM_GB PA_INFRA_MIN_DISK_GB PA_INFRA_READY_TIMEOUT \
    PA_INFRA_CPUS PA_INFRA_DISK_FREE_KB PA_INFRA_DISK_SIZE_KB PA_INFRA_MIN_ROOT_FREE_GB; do
    env "$name=a[\$(touch $MARKER)]" bash "$SCRIPT" --provision_key="$KEY" --gateway=us-east \
      </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 && status=0 || status=$?
    [ ! -e "$MARKER" ] || { echo "$name ran the command"; cat "$BATS_TEST_TMPDIR/out"; return 1; }
    [ "$status" -eq 64 ] || { echo "$name: exit $status"; cat "$BATS_TEST_TMPDIR/out"; return 1; }
    grep -q "^infra.sh: $name: must be a whole number" "$BATS_TEST_TMPDIR/out"
    [ -z "$(written)" ]
  done
}

@test "PA_INFRA_* overrides out of range or malformed exit 64 naming the variable" {
  local spec name value
  for spec in PA_INFRA_MIN_CPUS=2000 PA_INFRA_MIN_MEM_GB=100000 PA_INFRA_READY_TIMEOUT=-1 \
    PA_INFRA_ROOT=relative/dir PA_INFRA_BUNDLE=$'/tmp/a\nb' PA_INFRA_OS_RELEASE=os-release \
    PA_INFRA_SECRET_OWNER='root:root' PA_INFRA_SKIP_DOCKER=yes PA_INFRA_HOSTNAME=$'pop\n1' \
    PA_INFRA_TZ='$(id)' PA_INFRA_DNF_CONF=dnf.conf PA_INFRA_PROC_SYS=proc/sys; do
    name=${spec%%=*}
    value=${spec#*=}
    env "$name=$value" bash "$SCRIPT" --provision_key="$KEY" --gateway=us-east \
      </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 && status=0 || status=$?
    [ "$status" -eq 64 ] || { echo "$name: exit $status"; cat "$BATS_TEST_TMPDIR/out"; return 1; }
    grep -q "^infra.sh: $name: " "$BATS_TEST_TMPDIR/out" || { cat "$BATS_TEST_TMPDIR/out"; return 1; }
  done
  [ -z "$(written)" ]
}

# ---- empty values -------------------------------------------------------------------------------

@test "every option given an empty value is a bad argument (exit 64), not an absent one" {
  local opt
  for opt in --provision_key --provision_key_file --gateway --proxy --no_proxy --sse_url --sse_ca_file; do
    infra "$opt=" --gateway=us-east
    [ "$status" -eq 64 ] || { echo "$opt=: exit $status: $output"; return 1; }
    [[ ${lines[0]} == "infra.sh: $opt: "*'empty'* ]] || { echo "$output"; return 1; }
    infra --gateway=us-east "$opt" ''
    [ "$status" -eq 64 ] || { echo "$opt '': exit $status: $output"; return 1; }
  done
  [ -z "$(written)" ]
}

# ---- the key in the process list ----------------------------------------------------------------

# Fails (showing the file) when FILE holds TEXT. (`! grep` would not fail a bats test mid-way.)
lacks() {
  if grep -qF -- "$1" "$2"; then
    echo "$2 holds the key:" && cat "$2"
    return 1
  fi
}

@test "--provision_key: while infra.sh runs, no process of it shows the key in ps" {
  stub_dirs
  # flock runs in the middle of the install: it records the command lines of infra.sh (its
  # parent) and of every process on the host at that moment, then takes its time.
  cat >"$STUBS/flock" <<'EOF2'
#!/bin/bash
ps -o args= -p "$PPID" >"$STUBS/parent-args"
ps -e -o args= >"$STUBS/all-args"
cat "/proc/$PPID/cmdline" | tr '\0' ' ' >"$STUBS/parent-cmdline"
sleep 1
exit 0
EOF2
  chmod +x "$STUBS/flock"
  PATH=$STUBS:$PATH install_ok
  [[ $(cat "$STUBS/parent-args") == *infra.sh* ]]
  lacks "$KEY" "$STUBS/parent-args"
  lacks "$KEY" "$STUBS/parent-cmdline"
  lacks "$KEY" "$STUBS/all-args"
  [ "$(cat "$SECRETS/provisioning-key")" = "$KEY" ]
  # --help says so.
  infra --help
  [[ $output == *'--provision_key=KEY'*'re-executes itself without it'* ]]
}

# ---- credentials in what infra.sh prints --------------------------------------------------------

@test "the proxy and SSE URLs are printed without credentials, whatever they hold" {
  install_ok --proxy=http://ann%40corp:p%2Fw@proxy.corp:3128
  [[ $output == *'proxy http://[redacted]@proxy.corp:3128'* ]]
  [[ $output != *ann* && $output != *p%2Fw* ]]
  install_ok --proxy=http://alice:Q@proxy.corp:3128
  [[ $output == *'proxy http://[redacted]@proxy.corp:3128'* && $output != *':Q@'* ]]
  local url
  for url in 'https://ann:pa/ss@sse.example' 'https://ann@corp:pw@sse.example:bad'; do
    infra --provision_key="$KEY" --gateway=us-east --sse_url="$url"
    [ "$status" -eq 64 ]
    [[ $output != *pa/ss* && $output != *ann* && $output != *':pw'* ]] || { echo "$output"; return 1; }
  done
  infra --provision_key="$KEY" --gateway=us-east --proxy='http://alice:pa/ss@proxy.corp:3128'
  [ "$status" -eq 64 ]
  [[ $output == *'%2F'* && $output != *pa/ss* ]] || { echo "$output"; return 1; }
}
