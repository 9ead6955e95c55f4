#!/usr/bin/env bats
# The package an operator downloads: docker/build-bundle.sh --package writes PoPPackage.tar
# (Infrastructure.tar with vCenter/infra.sh, its cloud block filled, and PoPDeployment.tar), built
# here from a small fake images.tar (no Docker). The packaged infra.sh installs for its cloud with
# the document's arguments alone; its cloud block is parsed strictly; flags win over it.

bats_require_minimum_version 1.5.0
load host

BUILD=$REPO/docker/build-bundle.sh

setup() {
  fake_host
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=cloud-ca -days 1 \
    -keyout "$BATS_TEST_TMPDIR/ca.key" -out "$BATS_TEST_TMPDIR/ca.pem" 2>/dev/null
  CLOUD_ENV=$BATS_TEST_TMPDIR/cloud.env
  cat >"$CLOUD_ENV" <<'EOF'
# the cloud of this test
PA_CLOUD_DOMAIN=cloud.example
PA_CLOUD_PROFILE=onprem
PA_REGISTRATION_URL=https://wgcs.cloud.example
PA_COLLECTOR_URLS=https://status.cloud.example:5640,https://status2.cloud.example:5640
PA_REGISTRY=registry.cloud.example:443
EOF
  OUT=$BATS_TEST_TMPDIR/out
  mkdir -p "$OUT"
}

# Builds the package from the fake host's images.tar; extra arguments go to build-bundle.sh.
build_package() {
  run bash "$BUILD" --tag v1.0.0.3 --out "$OUT/PoPDeployment.tar" --images-tar "$HOST/bundle/images.tar" --package "$@"
}

# What the operator does (the document's steps): unpack PoPPackage.tar, take infra.sh out of
# Infrastructure.tar's vCenter/, and put it beside PoPDeployment.tar on the VM ($VM).
unpack_to_vm() {
  VM=$BATS_TEST_TMPDIR/vm
  mkdir -p "$VM" "$BATS_TEST_TMPDIR/download"
  tar -C "$BATS_TEST_TMPDIR/download" -xf "$OUT/PoPPackage.tar"
  tar -C "$BATS_TEST_TMPDIR/download" -xf "$BATS_TEST_TMPDIR/download/Infrastructure.tar"
  cp "$BATS_TEST_TMPDIR/download/PoPDeployment.tar" "$BATS_TEST_TMPDIR/download/vCenter/infra.sh" "$VM/"
  unset PA_INFRA_BUNDLE
}

# A copy of infra.sh whose cloud block holds $1 (PKG_CLOUD_ENV) and $2 (PKG_CLOUD_CA), as written
# by a packager that does not check them.
filled_script() {
  FILLED=$BATS_TEST_TMPDIR/filled-infra.sh
  awk -v env="$1" -v ca="$2" '
    $0 == "PKG_CLOUD_ENV='\'''\''" { print "PKG_CLOUD_ENV='\''" env "'\''"; next }
    $0 == "PKG_CLOUD_CA='\'''\''" { print "PKG_CLOUD_CA='\''" ca "'\''"; next }
    { print }' "$SCRIPT" >"$FILLED"
}

env_value() {
  sed -n "s/^$2=//p" "$1"
}

@test "--package: PoPPackage.tar holds Infrastructure.tar (vCenter/infra.sh) and PoPDeployment.tar" {
  build_package --cloud-env "$CLOUD_ENV" --cloud-ca "$BATS_TEST_TMPDIR/ca.pem"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ $output == *"PoPPackage.tar (Infrastructure.tar with vCenter/infra.sh, the cloud's settings filled in, and PoPDeployment.tar)"* ]]
  [ "$(tar -tf "$OUT/PoPPackage.tar")" = $'Infrastructure.tar\nPoPDeployment.tar' ]
  [ "$(tar -xOf "$OUT/PoPPackage.tar" Infrastructure.tar | tar -tf -)" = vCenter/infra.sh ]
  [[ $(tar -xOf "$OUT/PoPPackage.tar" Infrastructure.tar | tar -tvf -) == -rwxr-xr-x* ]]
  # The bundle inside is the one written beside it, as without --package.
  tar -xOf "$OUT/PoPPackage.tar" PoPDeployment.tar | cmp - "$OUT/PoPDeployment.tar"
  [ "$(tar -tf "$OUT/PoPDeployment.tar" | sort | tr '\n' ' ')" = 'compose.yaml images.tar pa_connector.sh release.json ' ]
  tar -xOf "$OUT/PoPDeployment.tar" images.tar | cmp - "$HOST/bundle/images.tar"
  tar -xOf "$OUT/PoPDeployment.tar" compose.yaml | cmp - "$REPO/compose.yaml"
  [[ $(tar -xOf "$OUT/PoPDeployment.tar" release.json) == *'"connector": {"image": "pa-connector/connector:v1.0.0.3"}'* ]]
  # infra.sh as in the checkout, but for the two values of its cloud block.
  local packaged=$BATS_TEST_TMPDIR/packaged.sh
  tar -xOf "$OUT/PoPPackage.tar" Infrastructure.tar | tar -xOf - vCenter/infra.sh >"$packaged"
  diff <(grep -v '^PKG_CLOUD_' "$SCRIPT") <(sed '/^PKG_CLOUD_ENV=/,/^# <<< cloud package settings/{/^# <<< /!d}' "$packaged")
  # Blank and comment lines of --cloud-env are dropped; the values kept as given.
  PKG_CLOUD_ENV= PKG_CLOUD_CA=
  eval "$(sed -n '/^# >>> cloud package settings/,/^# <<< cloud package settings/p' "$packaged")"
  [ "$PKG_CLOUD_ENV" = "$(grep -v '^#' "$CLOUD_ENV")" ]
  [ "$PKG_CLOUD_CA" = "$(cat "$BATS_TEST_TMPDIR/ca.pem")" ]
}

@test "without --cloud-env and --cloud-ca the packaged infra.sh has an empty cloud block" {
  build_package
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  tar -xOf "$OUT/PoPPackage.tar" Infrastructure.tar | tar -xOf - vCenter/infra.sh | cmp - "$SCRIPT"
}

@test "the packaged infra.sh installs for its cloud with the document's arguments alone" {
  build_package --cloud-env "$CLOUD_ENV" --cloud-ca "$BATS_TEST_TMPDIR/ca.pem"
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  unpack_to_vm
  run bash "$VM/infra.sh" --provision_key="$KEY" --gateway="us-west.pa-wgcs.skyhigh.cloud" \
    --proxy="http://10.212.24.192:9090" --no_proxy="localhost,.corp.trellix.com,172.17.0.1,ubuntu,127.0.0.1" </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ $output == *'infra.sh: cloud cloud.example, its endpoints and CA from this package'* ]]
  [[ $output == *"Deployment bundle                  ok    version v1.0.0.3"* ]]
  local f=$ETC/pa.env
  [ "$(env_value "$f" PA_CLOUD_DOMAIN)" = cloud.example ]
  [ "$(env_value "$f" PA_CLOUD_PROFILE)" = onprem ]
  [ "$(env_value "$f" PA_REGISTRATION_URL)" = https://wgcs.cloud.example ]
  [ "$(env_value "$f" PA_COLLECTOR_URLS)" = https://status.cloud.example:5640,https://status2.cloud.example:5640 ]
  [ "$(env_value "$f" PA_REGISTRY)" = registry.cloud.example:443 ]
  [ -z "$(env_value "$f" PA_TOKEN_URL)" ]
  [ -z "$(env_value "$f" PA_SSE_URLS)" ]
  [ "$(env_value "$f" PA_GATEWAY)" = us-west.pa-wgcs.skyhigh.cloud ]
  [ "$(env_value "$f" PA_SSE_CA_FILE)" = /etc/pa-connector/sse-ca.pem ]
  cmp "$ETC/config/sse-ca.pem" "$BATS_TEST_TMPDIR/ca.pem"
  [ "$(env_value "$ETC/pa_connector.env" PA_CLOUD_DOMAIN)" = cloud.example ]
  # The menu's diagnose checks the cloud with the package's CA too (its path in the container).
  [ "$(env_value "$ETC/pa_connector.env" PA_SSE_CA_FILE)" = /etc/pa-connector/sse-ca.pem ]
  # A re-run changes nothing.
  run bash "$VM/infra.sh" --gateway="us-west.pa-wgcs.skyhigh.cloud" --proxy="http://10.212.24.192:9090" \
    --no_proxy="localhost,.corp.trellix.com,172.17.0.1,ubuntu,127.0.0.1" </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [[ $output == *'pa.env unchanged'* && $output == *'sse-ca.pem (the cloud'"'"'s CA, from the package) unchanged'* ]]
}

@test "flags win over the package: --sse_url replaces its URLs for every purpose, --sse_ca_file its CA" {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other-ca -days 1 \
    -keyout "$BATS_TEST_TMPDIR/other.key" -out "$BATS_TEST_TMPDIR/other.pem" 2>/dev/null
  filled_script "$(grep -v "^#" "$CLOUD_ENV")" "$(cat "$BATS_TEST_TMPDIR/ca.pem")"
  run bash "$FILLED" --provision_key="$KEY" --gateway=us-east --sse_url=https://emulator.test:8443 \
    --sse_ca_file="$BATS_TEST_TMPDIR/other.pem" </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  local f=$ETC/pa.env
  [ "$(env_value "$f" PA_SSE_URLS)" = https://emulator.test:8443 ]
  [ -z "$(env_value "$f" PA_REGISTRATION_URL)" ]
  [ -z "$(env_value "$f" PA_COLLECTOR_URLS)" ]
  # What is not an API endpoint stays the package's.
  [ "$(env_value "$f" PA_CLOUD_DOMAIN)" = cloud.example ]
  [ "$(env_value "$f" PA_REGISTRY)" = registry.cloud.example:443 ]
  cmp "$ETC/config/sse-ca.pem" "$BATS_TEST_TMPDIR/other.pem"
}

@test "a CA with CRLF line ends, as some tools write PEM, is a certificate too" {
  filled_script 'PA_SSE_URLS=https://emulator.test:8443' "$(sed 's/$/\r/' "$BATS_TEST_TMPDIR/ca.pem")"
  run bash "$FILLED" --provision_key="$KEY" --gateway=local </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$(env_value "$ETC/pa.env" PA_SSE_CA_FILE)" = /etc/pa-connector/sse-ca.pem ]
  [ -s "$ETC/config/sse-ca.pem" ]
}

@test "PA_SSE_URLS of the package is used when no --sse_url is given" {
  filled_script 'PA_SSE_URLS=https://emulator.test:8443,https://emulator.test:9443' ''
  run bash "$FILLED" --provision_key="$KEY" --gateway=local </dev/null
  [ "$status" -eq 0 ] || { echo "$output"; return 1; }
  [ "$(env_value "$ETC/pa.env" PA_SSE_URLS)" = https://emulator.test:8443,https://emulator.test:9443 ]
  [ -z "$(env_value "$ETC/pa.env" PA_SSE_CA_FILE)" ]
  [ ! -e "$ETC/config/sse-ca.pem" ]
}

@test "a broken cloud block stops infra.sh before anything, naming what is wrong" {
  local ca
  ca=$(cat "$BATS_TEST_TMPDIR/ca.pem")
  local -a cases=(
    'PA_CLOUD_DOMIAN=cloud.example|PA_CLOUD_DOMIAN is not a cloud setting'
    'PA_PROXY_URL=http://proxy:3128|PA_PROXY_URL is not a cloud setting'
    $'PA_CLOUD_DOMAIN=a.example\nPA_CLOUD_DOMAIN=b.example|PA_CLOUD_DOMAIN is given twice'
    'PA_CLOUD_DOMAIN|line 1 of PKG_CLOUD_ENV is not KEY=value'
    'PA_CLOUD_DOMAIN=|PA_CLOUD_DOMAIN is empty'
    'PA_CLOUD_DOMAIN=localhost|PA_CLOUD_DOMAIN is not a domain name'
    'PA_CLOUD_PROFILE=cloud|PA_CLOUD_PROFILE must be saas or onprem'
    'PA_TOKEN_URL=http://iam.cloud.example|PA_TOKEN_URL "http://iam.cloud.example" must start with https://'
    'PA_CATALOG_URL=https://a.example,https://b.example|PA_CATALOG_URL must be one https URL'
    'PA_COLLECTOR_URLS=https://a.example,,https://b.example|PA_COLLECTOR_URLS give one or more https URLs'
    'PA_SSE_URLS=https://u:p@sse.example|PA_SSE_URLS "https://[redacted]@sse.example" must not carry credentials'
    'PA_REGISTRY=https://registry.example|PA_REGISTRY is not a hostname'
    'PA_REGISTRATION_URL=https://wgcs.example/$(id)|PA_REGISTRATION_URL contains "$"'
  )
  local c
  for c in "${cases[@]}"; do
    filled_script "${c%%|*}" "$ca"
    run bash "$FILLED" --provision_key="$KEY" --gateway=us-east </dev/null
    [ "$status" -eq 1 ] || { echo "[$c] exit $status: $output"; return 1; }
    [[ $output == "infra.sh: the cloud settings packed into this infra.sh are broken: ${c#*|}"*'(download the package again); nothing was done' ]] ||
      { echo "[$c] $output"; return 1; }
    [ -z "$(written)" ]
  done
  [[ $output != *'u:p'* ]]
  for ca in 'not a certificate' $'-----BEGIN CERTIFICATE-----\nAAAA\n' $'-----BEGIN CERTIFICATE-----\nAA AA\n-----END CERTIFICATE-----' \
    $'-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'; do
    filled_script 'PA_CLOUD_DOMAIN=cloud.example' "$ca"
    run bash "$FILLED" --provision_key="$KEY" --gateway=us-east </dev/null
    [ "$status" -eq 1 ] && [[ $output == *'PKG_CLOUD_CA is not a PEM certificate'* ]] || { echo "[$ca] $output"; return 1; }
  done
  # --uninstall too: the script is the package's, broken as a whole.
  filled_script 'PA_CLOUD_PROFILE=cloud' ''
  run bash "$FILLED" --uninstall --yes </dev/null
  [ "$status" -eq 1 ]
}

@test "build-bundle.sh refuses cloud settings infra.sh could not carry or would refuse" {
  printf 'PA_CLOUD_DOMAIN=it'\''s.example\n' >"$BATS_TEST_TMPDIR/quote.env"
  build_package --cloud-env "$BATS_TEST_TMPDIR/quote.env"
  [ "$status" -eq 64 ] && [[ $output == *'--cloud-env: line 1 holds a single quote'* ]]
  printf 'PA_CLOUD_DOMAIN=cloud.example\nPA_HOSTNAME=pop\n' >"$BATS_TEST_TMPDIR/key.env"
  build_package --cloud-env "$BATS_TEST_TMPDIR/key.env"
  [ "$status" -eq 64 ] && [[ $output == *'--cloud-env: PA_HOSTNAME (line 2) is not a cloud setting'* ]]
  printf 'PA_CLOUD_PROFILE=cloud\n' >"$BATS_TEST_TMPDIR/value.env"
  build_package --cloud-env "$BATS_TEST_TMPDIR/value.env"
  [ "$status" -eq 1 ] && [[ $output == *'PA_CLOUD_PROFILE must be saas or onprem'* ]]
  [[ $output == *'build-bundle: the filled infra.sh refuses its cloud settings'* ]]
  echo 'no certificate here' >"$BATS_TEST_TMPDIR/bad.pem"
  build_package --cloud-ca "$BATS_TEST_TMPDIR/bad.pem"
  [ "$status" -eq 64 ] && [[ $output == *'--cloud-ca: '*'holds no PEM certificate'* ]]
  run bash "$BUILD" --cloud-env "$CLOUD_ENV" --images-tar "$HOST/bundle/images.tar"
  [ "$status" -eq 64 ] && [[ $output == *'--cloud-env and --cloud-ca go with --package'* ]]
  run bash "$BUILD" --images-tar "$BATS_TEST_TMPDIR/none.tar"
  [ "$status" -eq 64 ] && [[ $output == *'--images-tar: cannot read'* ]]
  [ ! -e "$OUT/PoPPackage.tar" ] && [ ! -e "$OUT/PoPDeployment.tar" ]
}
