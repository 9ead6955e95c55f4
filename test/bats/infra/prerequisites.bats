#!/usr/bin/env bats
# infra.sh: the prerequisite checks on a fake host (os-release, meminfo, resolv.conf, CPU count,
# disk size and free space on /, time zone, hostname, bundle; compose in docker-install.bats). Each check prints one numbered line with ok or FAIL and
# the reason; any FAIL stops the run with exit 69 before anything is written.

bats_require_minimum_version 1.5.0
load host

setup() {
  fake_host
}

# The numbered line of check $1 (e.g. "CPUs").
line_of() {
  local line
  for line in "${lines[@]}"; do
    if [[ $line =~ ^\ ?[0-9]+\.\ $1\  ]]; then
      printf '%s\n' "$line"
      return
    fi
  done
  echo "no line for $1 in: $output" >&2
  return 1
}

check_ok() {
  local line
  line=$(line_of "$1")
  [[ $line =~ \ ok\ +.*$2 ]] || { echo "expected ok ($2): $line"; return 1; }
}

check_fails() {
  local line
  line=$(line_of "$1")
  [[ $line =~ \ FAIL\ +.*$2 ]] || { echo "expected FAIL ($2): $line"; return 1; }
}

# The run stopped on the prerequisites: exit 69, a summary, nothing written.
stopped() {
  [ "$status" -eq 69 ] || { echo "exit $status: $output"; return 1; }
  [[ $output == *"infra.sh: $1 prerequisite(s) not met (FAIL above); nothing was changed"* ]]
  [ -z "$(written)" ]
}

install_dry() {
  infra --provision_key="$KEY" --gateway=us-east --dry-run "$@"
}

@test "a host that meets everything: every check ok, numbered in order" {
  install_dry
  [ "$status" -eq 0 ]
  check_ok 'OS and version' 'ubuntu 22.04'
  check_ok 'CPUs' '4 \(at least 4\)'
  check_ok 'Memory' '15.6 GB \(at least 8 GB\)'
  check_ok 'Disk' "60 GB disk holding $PA_INFRA_ROOT \\(at least 50 GB\\)"
  check_ok 'Free on /' "30 GB free on $PA_INFRA_ROOT/ \\(at least 25 GB\\)"
  check_ok 'Time zone' 'Etc/UTC'
  check_ok 'DNS nameservers' '2 in'
  check_ok 'Hostname' 'pop-test-1'
  check_ok 'Deployment bundle' 'version 1.0.3, 2 images'
  [[ ${lines[1]} == ' 1. OS and version'* ]]
  [[ ${lines[9]} == ' 9. Deployment bundle'* ]]
  [[ ${lines[10]} == '10. Docker compose'*'not checked (PA_INFRA_SKIP_DOCKER=1, for tests only)' ]]
}

@test "the document's OS versions pass: Ubuntu 18.04, 20.04, 22.04; RHEL 8.5, 8.6, 8.7, 9.1" {
  local v
  for v in 'ubuntu 18.04' 'ubuntu 20.04' 'ubuntu 22.04' 'rhel 8.5' 'rhel 8.6' 'rhel 8.7' 'rhel 9.1'; do
    printf 'ID="%s"\nVERSION_ID="%s"\n' "${v% *}" "${v#* }" >"$PA_INFRA_OS_RELEASE"
    install_dry
    [ "$status" -eq 0 ] || { echo "$v: $output"; return 1; }
    check_ok 'OS and version' "$v"
  done
}

@test "other OSes and versions are refused" {
  local v
  for v in 'ubuntu 16.04' 'ubuntu 23.10' 'ubuntu 24.04' 'rhel 8.4' 'rhel 8.8' 'rhel 8.10' 'rhel 9.0' 'rhel 9.4' \
    'rhel 9' 'rhel 7.9' 'rhel 10.0' 'debian 12' 'rocky 9.1' 'centos 8'; do
    printf 'ID=%s\nVERSION_ID="%s"\n' "${v% *}" "${v#* }" >"$PA_INFRA_OS_RELEASE"
    install_dry
    stopped 1 || { echo "$v"; return 1; }
    check_fails 'OS and version' "$v is not supported \(Ubuntu 18.04/20.04/22.04, RHEL 8.5/8.6/8.7/9.1; --allow-unsupported-os to go on\)"
  done
}

@test "--allow-unsupported-os lets an unsupported OS through, saying so" {
  printf 'ID=debian\nVERSION_ID="12"\n' >"$PA_INFRA_OS_RELEASE"
  install_dry --allow-unsupported-os
  [ "$status" -eq 0 ]
  check_ok 'OS and version' 'debian 12 is not supported; going on \(--allow-unsupported-os\)'
  [[ $output == *'infra.sh: warning: debian 12 is not a supported OS (Ubuntu 18.04 20.04 22.04; RHEL 8.5 8.6 8.7 9.1): going on because of --allow-unsupported-os, untested'* ]]
  printf 'ID=ubuntu\nVERSION_ID="22.04"\n' >"$PA_INFRA_OS_RELEASE"
  install_dry --allow-unsupported-os
  [[ $output != *warning* ]]
}

@test "a missing os-release fails the OS check" {
  rm "$PA_INFRA_OS_RELEASE"
  install_dry
  stopped 1
  check_fails 'OS and version' "cannot read $PA_INFRA_OS_RELEASE"
}

@test "os-release is parsed, never run" {
  local marker=$BATS_TEST_TMPDIR/ran
  printf 'ID=ubuntu\nVERSION_ID="22.04"\n$(touch %s)\ntouch %s\n' "$marker" "$marker" >"$PA_INFRA_OS_RELEASE"
  install_dry
  [ "$status" -eq 0 ]
  [ ! -e "$marker" ]
}

@test "CPUs: at least 4 (threshold overridable)" {
  PA_INFRA_CPUS=3 install_dry
  stopped 1
  check_fails 'CPUs' '3, at least 4 needed'
  PA_INFRA_CPUS=2 PA_INFRA_MIN_CPUS=2 install_dry
  [ "$status" -eq 0 ]
  check_ok 'CPUs' '2 \(at least 2\)'
  # An override that is not a number is a bad override, refused before any check runs.
  PA_INFRA_CPUS=many install_dry
  [ "$status" -eq 64 ]
  [[ $output == 'infra.sh: PA_INFRA_CPUS: must be a whole number from 1 to 100000' ]]
}

@test "CPUs: without the override, nproc counts them" {
  unset PA_INFRA_CPUS
  PA_INFRA_MIN_CPUS=1 install_dry
  [ "$status" -eq 0 ]
  check_ok 'CPUs' "$(nproc) \\(at least 1\\)"
}

@test "memory: at least 8 GB from MemTotal (an 8 GB VM's 7.8 GiB passes)" {
  printf 'MemTotal:        8131520 kB\n' >"$PA_INFRA_PROC_MEMINFO"
  install_dry
  [ "$status" -eq 0 ]
  check_ok 'Memory' '7.8 GB \(at least 8 GB\)'
  printf 'MemTotal:        4028000 kB\n' >"$PA_INFRA_PROC_MEMINFO"
  install_dry
  stopped 1
  check_fails 'Memory' '3.8 GB, at least 8 GB needed'
  PA_INFRA_MIN_MEM_GB=2 install_dry
  [ "$status" -eq 0 ]
  printf 'MemFree: 1 kB\n' >"$PA_INFRA_PROC_MEMINFO"
  install_dry
  stopped 1
  check_fails 'Memory' "no MemTotal in $PA_INFRA_PROC_MEMINFO"
}

@test "disk: the disk holding the install is at least 50 GB, and / has at least 25 GB free" {
  PA_INFRA_DISK_SIZE_KB=$((49 * 1024 * 1024)) install_dry
  stopped 1
  check_fails 'Disk' "49 GB disk holding $PA_INFRA_ROOT, at least 50 GB needed"
  # The document's VM: a 50 GB disk, of which / has about 25 GB free (not "50 GB free").
  PA_INFRA_DISK_SIZE_KB=$((50 * 1024 * 1024)) PA_INFRA_DISK_FREE_KB=$((25 * 1024 * 1024)) install_dry
  [ "$status" -eq 0 ]
  PA_INFRA_DISK_FREE_KB=$((24 * 1024 * 1024)) install_dry
  stopped 1
  check_fails 'Free on /' "24 GB free on $PA_INFRA_ROOT/, at least 25 GB needed"
  PA_INFRA_DISK_SIZE_KB=$((49 * 1024 * 1024)) PA_INFRA_MIN_DISK_GB=40 \
    PA_INFRA_DISK_FREE_KB=$((24 * 1024 * 1024)) PA_INFRA_MIN_ROOT_FREE_GB=20 install_dry
  [ "$status" -eq 0 ]
}

@test "disk: without the overrides, lsblk finds the disk under the install's filesystem and df measures /" {
  unset PA_INFRA_DISK_SIZE_KB PA_INFRA_DISK_FREE_KB
  local source bytes
  source=$(df -P "$PA_INFRA_ROOT" | awk 'NR == 2 { print $1 }')
  bytes=$(lsblk -bnso TYPE,SIZE "$source" 2>/dev/null | awk '$1 == "disk" { s += $2 } END { printf "%.0f\n", s }')
  PA_INFRA_MIN_DISK_GB=0 PA_INFRA_MIN_ROOT_FREE_GB=0 install_dry
  if ((bytes > 0)); then
    [ "$status" -eq 0 ]
    check_ok 'Disk' "$((bytes / 1024 / 1024 / 1024)) GB disk holding $PA_INFRA_ROOT \\(at least 0 GB\\)"
  else
    # No disk visible here (e.g. an overlay root): said so; with a minimum it fails, naming the way on.
    check_ok 'Disk' "not measured: no disk found under $PA_INFRA_ROOT"
    PA_INFRA_MIN_ROOT_FREE_GB=0 install_dry
    check_fails 'Disk' "cannot find the disk holding $PA_INFRA_ROOT \\(lsblk\\); PA_INFRA_MIN_DISK_GB=0 to go on"
  fi
  check_ok 'Free on /' "GB free on $PA_INFRA_ROOT/ \\(at least 0 GB\\)"
  PA_INFRA_MIN_DISK_GB=0 PA_INFRA_MIN_ROOT_FREE_GB=1000000 install_dry
  [ "$status" -eq 69 ]
  check_fails 'Free on /' 'at least 1000000 GB needed'
}

@test "time zone: UTC and its aliases pass, anything else fails" {
  local tz
  for tz in UTC Etc/UTC Universal Etc/Universal Zulu; do
    PA_INFRA_TZ=$tz install_dry
    [ "$status" -eq 0 ] || { echo "$tz: $output"; return 1; }
  done
  for tz in Europe/Berlin America/New_York Asia/Kolkata; do
    PA_INFRA_TZ=$tz install_dry
    stopped 1
    check_fails 'Time zone' "$tz, must be UTC \\(timedatectl set-timezone UTC\\)"
  done
}

@test "nameservers: at most three in resolv.conf" {
  printf 'nameserver 10.0.0.1\nnameserver 10.0.0.2\n  nameserver 10.0.0.3\n# nameserver 10.0.0.9\n' >"$PA_INFRA_RESOLV_CONF"
  install_dry
  [ "$status" -eq 0 ]
  check_ok 'DNS nameservers' '3 in'
  echo 'nameserver 10.0.0.4' >>"$PA_INFRA_RESOLV_CONF"
  install_dry
  stopped 1
  check_fails 'DNS nameservers' "4 in $PA_INFRA_RESOLV_CONF, at most 3 allowed"
  echo 'search corp' >"$PA_INFRA_RESOLV_CONF"
  install_dry
  stopped 1
  check_fails 'DNS nameservers' "none in $PA_INFRA_RESOLV_CONF"
  rm "$PA_INFRA_RESOLV_CONF"
  install_dry
  stopped 1
  check_fails 'DNS nameservers' "cannot read $PA_INFRA_RESOLV_CONF"
}

@test "hostname: fewer than 64 characters" {
  PA_INFRA_HOSTNAME=$(printf 'h%.0s' {1..63}) install_dry
  [ "$status" -eq 0 ]
  PA_INFRA_HOSTNAME=$(printf 'h%.0s' {1..64}) install_dry
  stopped 1
  check_fails 'Hostname' '64 characters, must be fewer than 64'
  PA_INFRA_HOSTNAME=bad_name install_dry
  stopped 1
  check_fails 'Hostname' '"bad_name" is not a valid hostname'
}

@test "bundle: missing, without release.json or without images is a FAIL" {
  PA_INFRA_BUNDLE=$BATS_TEST_TMPDIR/none.tar install_dry
  stopped 1
  check_fails 'Deployment bundle' "$BATS_TEST_TMPDIR/none.tar not found"
  tar -C "$HOST/bundle" -cf "$HOST/PoPDeployment.tar" images.tar compose.yaml pa_connector.sh
  install_dry
  stopped 1
  check_fails 'Deployment bundle' 'has no release.json'
  tar -C "$HOST/bundle" -cf "$HOST/PoPDeployment.tar" compose.yaml pa_connector.sh release.json
  install_dry
  stopped 1
  check_fails 'Deployment bundle' 'has no images.tar'
  echo '{"version": "1.0.3", "images": []}' >"$HOST/bundle/release.json"
  tar -C "$HOST/bundle" -cf "$HOST/PoPDeployment.tar" images.tar compose.yaml pa_connector.sh release.json
  install_dry
  stopped 1
  check_fails 'Deployment bundle' 'release.json lists no images'
}

@test "every failing check is reported, not only the first" {
  PA_INFRA_CPUS=1 PA_INFRA_TZ=Asia/Tokyo PA_INFRA_HOSTNAME=$(printf 'h%.0s' {1..70}) install_dry
  stopped 3
  check_fails 'CPUs' '1, at least 4'
  check_fails 'Time zone' 'Asia/Tokyo'
  check_fails 'Hostname' '70 characters'
  check_ok 'Memory' 'GB'
}

@test "a failed check on a real install (not a dry run) writes nothing either" {
  PA_INFRA_CPUS=1 infra --provision_key="$KEY" --gateway=us-east
  stopped 1
}
