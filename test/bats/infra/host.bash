# A fake host for infra.sh: every path and threshold it reads points into the test's directory, a
# small deployment bundle sits beside it, and the Docker steps are off (PA_INFRA_SKIP_DOCKER=1).
# Each test starts on a host that passes every check; a test changes what it is about.
# shellcheck disable=SC2034 # the variables set here are used by the .bats files that load it

REPO=$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)
SCRIPT=$REPO/infra.sh

fake_host() {
  HOST=$BATS_TEST_TMPDIR/host
  mkdir -p "$HOST/bundle"
  printf 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\n' >"$HOST/os-release"
  printf 'MemTotal:       16314772 kB\nMemFree:         1000000 kB\n' >"$HOST/meminfo"
  printf '# test\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch corp\n' >"$HOST/resolv.conf"
  printf '{"version": "1.0.3", "images": ["pa-connector/connector:1.0.3", "pa-connector/redis:1.0.3"]}\n' \
    >"$HOST/bundle/release.json"
  printf 'services: {}\n' >"$HOST/bundle/compose.yaml"
  printf '#!/usr/bin/env bash\necho menu\n' >"$HOST/bundle/pa_connector.sh"
  printf 'not really images\n' >"$HOST/bundle/images.tar"
  tar -C "$HOST/bundle" -cf "$HOST/PoPDeployment.tar" images.tar compose.yaml pa_connector.sh release.json

  # A stock kernel's socket buffer limits, in a /proc/sys of the test's own.
  mkdir -p "$HOST/proc-sys/net/core"
  echo 212992 >"$HOST/proc-sys/net/core/rmem_max"
  echo 212992 >"$HOST/proc-sys/net/core/wmem_max"
  export PA_INFRA_PROC_SYS=$HOST/proc-sys

  export PA_INFRA_ROOT=$HOST/root
  mkdir -p "$PA_INFRA_ROOT"
  export PA_INFRA_BUNDLE=$HOST/PoPDeployment.tar
  export PA_INFRA_OS_RELEASE=$HOST/os-release
  export PA_INFRA_PROC_MEMINFO=$HOST/meminfo
  export PA_INFRA_RESOLV_CONF=$HOST/resolv.conf
  export PA_INFRA_CPUS=4
  export PA_INFRA_DISK_SIZE_KB=$((60 * 1024 * 1024))
  export PA_INFRA_DISK_FREE_KB=$((30 * 1024 * 1024))
  export PA_INFRA_TZ=Etc/UTC
  export PA_INFRA_HOSTNAME=pop-test-1
  export PA_INFRA_SKIP_DOCKER=1
  unset PA_INFRA_MIN_CPUS PA_INFRA_MIN_MEM_GB PA_INFRA_MIN_DISK_GB PA_INFRA_MIN_ROOT_FREE_GB PA_INFRA_DNF_CONF

  # Well-formed keys, as the cloud issues them (base64url JSON), each with its own random secret.
  SECRET=$(random_secret)
  KEY=$(key_of "{\"connectorName\":\"ZTNAalpha\",\"customerId\":\"cus_0123\",\"keyId\":\"0123456789abcdef\",\"secret\":\"$SECRET\"}")
  OTHER_KEY=$(key_of "{\"connectorName\":\"ZTNAbeta\",\"customerId\":\"cus_0123\",\"keyId\":\"fedcba9876543210\",\"secret\":\"$(random_secret)\",\"groupId\":\"grp_1\"}")
  ETC=$PA_INFRA_ROOT/etc/pa-connector
  SECRETS=$ETC/secrets
  LIB=$PA_INFRA_ROOT/var/lib/pa-connector
}

# 43 base64url characters: a key's secret.
random_secret() {
  head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

# The key (base64url without padding) of the JSON text given: any text, so tests can make bad keys.
key_of() {
  printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# Every file and directory under the fake root (empty output: nothing was written).
written() {
  (cd "$PA_INFRA_ROOT" && find . -mindepth 1 | sort)
}

mode_of() {
  stat -c %a "$1"
}

# Runs infra.sh with stdin from /dev/null (no key there) unless the test gives one.
infra() {
  run bash "$SCRIPT" "$@" </dev/null
}
