#!/usr/bin/env bats
# infra.sh: the command line. A refused argument exits 64 with one line naming it, before anything
# runs: no command in it is executed and nothing is written. The fake host passes every check, so
# an argument that slipped through would go on to write the configuration (and the tests would see
# it in the fake root).

bats_require_minimum_version 1.5.0
load host

setup() {
  fake_host
  MARKER=$BATS_TEST_TMPDIR/x
}

# Exit 2, a single line that contains $1, no file written, no marker created.
refused_with() {
  [ "$status" -eq 64 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ ${lines[0]} == "infra.sh: "*"$1"* ]]
  [ -z "$(written)" ]
  [ ! -e "$MARKER" ]
}

@test "a valid command line gets through (the other tests would see it write)" {
  infra --provision_key="$KEY" --gateway=us-east
  [ "$status" -eq 0 ]
  [ -n "$(written)" ]
}

@test "command substitution in the key is refused and does not run" {
  infra --provision_key="\$(touch $MARKER)" --gateway=us-east
  refused_with '--provision_key: contains "$"'
}

@test "the key '\$(touch /tmp/x)' is refused and /tmp/x is not created" {
  # The literal case of the issue; /tmp/x is checked only when it was not there before.
  local had=0
  [ ! -e /tmp/x ] || had=1
  infra '--provision_key=$(touch /tmp/x)' --gateway=us-east
  refused_with '--provision_key: contains "$"'
  [ "$had" -eq 1 ] || [ ! -e /tmp/x ]
}

@test "backticks are refused and do not run" {
  infra --provision_key="\`touch $MARKER\`" --gateway=us-east
  refused_with '--provision_key: contains "`"'
}

@test "a semicolon is refused (;rm -rf)" {
  infra --provision_key="$KEY" "--gateway=us-east;rm -rf $MARKER"
  refused_with '--gateway: contains ";"'
}

@test "a newline is refused" {
  infra --provision_key="$KEY" $'--gateway=us-east\ntouch '"$MARKER"
  refused_with '--gateway: contains a newline'
}

@test "every shell metacharacter is refused in every option" {
  local c option
  for option in --provision_key --gateway --proxy --no_proxy --sse_url --sse_ca_file --provision_key_file; do
    for c in '$' '`' ';' '|' '&' '<' '>' '(' ')' "'" '"' '\' '!' '{' '}' '#' '~' '?' '^' ' ' $'\t' $'\r'; do
      infra "$option=a${c}b"
      [ "$status" -eq 64 ] || { echo "$option with [$c]: exit $status: $output"; return 1; }
      [[ $output == "infra.sh: $option: contains "* ]] || { echo "$option with [$c]: $output"; return 1; }
    done
  done
  [ -z "$(written)" ]
}

@test "a metacharacter in an option's name or a bare word is refused too" {
  infra "--gateway\$(id)=us-east" --provision_key="$KEY"
  refused_with 'contains "$"'
  infra --provision_key="$KEY" --gateway=us-east 'a;b'
  refused_with 'an argument: contains ";"'
}

@test "a refused argument anywhere stops everything, even after valid ones" {
  infra --provision_key="$KEY" --gateway=us-east --proxy=http://proxy:3128 "--no_proxy=\$(touch $MARKER)"
  refused_with '--no_proxy: contains "$"'
}

# The fields of a good key, to make keys with one thing wrong. $SECRET is the secret of $KEY.
fields_with() {
  local name=${1:-\"connectorName\":\"ZTNAalpha\"} customer=${2:-\"customerId\":\"cus_0123\"}
  local id=${3:-\"keyId\":\"0123456789abcdef\"} secret=${4:-\"secret\":\"$SECRET\"}
  printf '%s,%s,%s,%s' "$name" "$customer" "$id" "$secret"
}

# Refused on the command line with "the provisioning key is malformed: $2", the key not echoed.
key_refused() {
  infra --provision_key="$1" --gateway=us-east
  refused_with "--provision_key: the provisioning key is malformed: $2"
  [[ $output != *"${SECRET:1:40}"* && $output != *"$1"* ]] || { echo "the key was echoed: $output"; return 1; }
}

@test "a key of the cloud is taken: its name and tenant in any script, an optional group id" {
  local key
  for key in "$KEY" "$OTHER_KEY" \
    "$(key_of "{ $(fields_with '"connectorName" : "Zürich \"HQ\" 東京 \\ x"') }")" \
    "$(key_of "{$(fields_with "\"connectorName\":\"$(printf 'é%.0s' {1..100})\"")}")" \
    "$(key_of $'{\n  '"$(fields_with)"$',\n  "groupId": "grp_00ff"\n}\n')"; do
    infra --provision_key="$key" --gateway=us-east --dry-run
    [ "$status" -eq 0 ] || { echo "$key: $output"; return 1; }
  done
}

@test "a key that is not base64url is refused, saying where" {
  key_refused "pak1.0123456789abcdef.$SECRET" 'it is not base64url: a character other than A-Z a-z 0-9 - _ at position 5 (see --help); nothing was done'
  key_refused "${KEY:0:20}+${KEY:21}" 'it is not base64url: a character other than A-Z a-z 0-9 - _ at position 21'
  key_refused "$(key_of "{$(fields_with)}x")==" "it is not base64url: '=' padding at position"
  local cut=${KEY:0:$((${#KEY} - ${#KEY} % 4 + 1))}
  [ $((${#cut} % 4)) -eq 1 ] || cut=${KEY:0:$((${#KEY} - ${#KEY} % 4 - 3))}
  key_refused "$cut" 'it is not base64url: its length or last character is impossible (cut short?)'
  key_refused "$(head -c 1025 /dev/zero | tr '\0' A)" 'it is longer than 1024 characters'
}

@test "a key that does not decode to a JSON object is refused" {
  key_refused "$(key_of "connectorName=ZTNAalpha secret=$SECRET")" 'it does not decode to JSON'
  key_refused "$(key_of "{$(fields_with)")" 'it does not decode to JSON'
  key_refused "$(printf '{\377}' | base64 -w0 | tr '+/' '-_' | tr -d '=')" 'it does not decode to JSON'
  key_refused "$(key_of "[{$(fields_with)}]")" 'it decodes to JSON that is not an object'
  key_refused "$(key_of "\"$SECRET\"")" 'it decodes to JSON that is not an object'
}

@test "a key without one of its fields, or with a field of the wrong form, is refused naming it" {
  # The operator documentation's example shape: a name and a tenant, no id or secret.
  key_refused "$(key_of '{"connectorName":"ZTNAalpha","customerId":"1-50E5B9A651E4"}')" 'field "keyId" is missing'
  key_refused "$(key_of "{$(fields_with '"x":"y"' '"y":"z"')}")" "it has a field that is not a key's (\"x\")"
  key_refused "$(key_of "{$(fields_with '' '' '' '"groupId":"g"')}")" 'field "secret" is missing'
  key_refused "$(key_of "{$(fields_with '' '' '"keyId":81985529216486895')}")" 'field "keyId" is not a string'
  key_refused "$(key_of "{$(fields_with '' '' '"keyId":"0123456789ABCDEF"')}")" 'field "keyId" must be 16 lowercase hex digits'
  key_refused "$(key_of "{$(fields_with '' '' '' "\"secret\":\"${SECRET:1}\"")}")" 'field "secret" must be 43 base64url characters'
  key_refused "$(key_of "{$(fields_with '' '' '' "\"secret\":\"${SECRET:1}+\"")}")" 'field "secret" must be 43 base64url characters'
  key_refused "$(key_of "{$(fields_with '' '"customerId":"cus 1"')}")" 'field "customerId" must be an id of 1 to 64 characters'
  key_refused "$(key_of "{$(fields_with '"connectorName":"  "')}")" 'field "connectorName" must be 1 to 100 characters, not blank, no control characters'
  key_refused "$(key_of "{$(fields_with '"connectorName":"a\nb"')}")" 'field "connectorName" must be 1 to 100 characters'
  key_refused "$(key_of "{$(fields_with "\"connectorName\":\"$(printf 'n%.0s' {1..101})\"")}")" 'field "connectorName" must be 1 to 100 characters'
  key_refused "$(key_of "{$(fields_with),\"groupId\":\"grp/1\"}")" 'field "groupId" must be an id of 1 to 64 characters'
}

@test "a malformed key from a file or stdin is refused without echoing it" {
  key_of "{$(fields_with '' '' '"keyId":"nothex"')}" >"$BATS_TEST_TMPDIR/key"
  infra --provision_key_file="$BATS_TEST_TMPDIR/key" --gateway=us-east
  refused_with '--provision_key_file: the provisioning key is malformed: field "keyId" must be 16 lowercase hex digits'
  [[ $output != *"$(cat "$BATS_TEST_TMPDIR/key")"* ]]
  run bash "$SCRIPT" - --gateway=us-east <"$BATS_TEST_TMPDIR/key"
  refused_with 'the key on stdin: the provisioning key is malformed: field "keyId" must be'
  [[ $output != *"$(cat "$BATS_TEST_TMPDIR/key")"* ]]
  run bash "$SCRIPT" - --gateway=us-east </dev/null
  refused_with 'the key on stdin: empty'
}

@test "the key one way only" {
  printf '%s\n' "$KEY" >"$BATS_TEST_TMPDIR/key"
  infra --provision_key="$KEY" --provision_key_file="$BATS_TEST_TMPDIR/key" --gateway=us-east
  refused_with 'give the provisioning key one way only'
  infra --provision_key_file=/nonexistent/key --gateway=us-east
  refused_with '--provision_key_file: cannot read /nonexistent/key'
}

@test "no key at all on a first install is refused" {
  infra --gateway=us-east
  [ "$status" -eq 64 ]
  [[ $output == *"infra.sh: no provisioning key: give --provision_key_file=PATH"* ]]
  [ ! -e "$SECRETS/provisioning-key" ]
}

@test "--gateway: a region name of the list or a bare RFC 1123 label shorter than 64" {
  local ok bad
  for ok in us-east us-west eu-central eu-west ap-south ap-southeast sa-east me-central local \
    "$(printf 'a%.0s' {1..63})"; do
    infra --provision_key="$KEY" --gateway="$ok" --dry-run
    [ "$status" -eq 0 ] || { echo "--gateway=$ok: $output"; return 1; }
  done
  infra --provision_key="$KEY" --gateway="$(printf 'a%.0s' {1..64})"
  refused_with '--gateway: must be shorter than 64 characters'
  for bad in -pop pop- pop_1; do
    infra --provision_key="$KEY" --gateway="$bad"
    [ "$status" -eq 64 ] || { echo "--gateway=$bad: $output"; return 1; }
    [[ $output == "infra.sh: --gateway: "*"is neither a region name"* ]]
  done
  infra --provision_key="$KEY"
  refused_with 'missing --gateway'
}

@test "--gateway: a gateway's hostname or address, optionally with a port" {
  local ok bad
  for ok in us-west.pa-wgcs.skyhigh.cloud us-west.pa-wgcs.skyhigh.cloud:443 gw-1.corp 10.1.2.3 \
    10.1.2.3:5660 fd00::1 '[fd00::1]' '[fd00::1]:443' "$(printf 'a%.0s' {1..63}).$(printf 'b%.0s' {1..63})"; do
    infra --provision_key="$KEY" --gateway="$ok" --dry-run
    [ "$status" -eq 0 ] || { echo "--gateway=$ok: $output"; return 1; }
  done
  for bad in 'pop..corp' '.pop' 'pop.' pop.corp:0 pop.corp:65536 pop.corp:x 10.1.2.256 1.2.3 \
    '[fd00::1' '[pop.corp]:443' fd00::1:443: "$(printf 'a%.0s' {1..64}).x"; do
    infra --provision_key="$KEY" --gateway="$bad"
    [ "$status" -eq 64 ] || { echo "--gateway=$bad: $output"; return 1; }
    [[ $output == "infra.sh: --gateway: \"$bad\" is not a gateway hostname or address"* ]] || { echo "$output"; return 1; }
  done
}

@test "the document's example command passes the checks as the shell hands it over (--dry-run)" {
  # sudo bash infra.sh --provision_key="<key>" --gateway="us-west.pa-wgcs.skyhigh.cloud"
  #   --proxy="http://10.212.24.192:9090" --no_proxy="localhost,.corp.trellix.com,172.17.0.1,ubuntu,127.0.0.1"
  infra --provision_key="$KEY" --gateway="us-west.pa-wgcs.skyhigh.cloud" --proxy="http://10.212.24.192:9090" \
    --no_proxy="localhost,.corp.trellix.com,172.17.0.1,ubuntu,127.0.0.1" --dry-run
  [ "$status" -eq 0 ] || { echo "exit $status: $output"; return 1; }
  [[ ${lines[0]} == 'infra.sh: dry run (nothing is changed) of the POP, gateway us-west.pa-wgcs.skyhigh.cloud' ]]
  [[ ${lines[1]} == 'infra.sh: proxy http://10.212.24.192:9090' ]]
  [[ $output == *'would write pa.env'* && $output == *'infra.sh: dry run done; nothing was changed' ]]
  [ -z "$(written)" ]
}

@test "--proxy: http://[user:password@]host:port only" {
  local ok bad
  for ok in http://proxy:3128 http://proxy.corp:8080/ http://user:p%40ss@proxy:3128 http://user@10.0.0.1:3128 \
    'http://[::1]:3128' 'http://u:p@[fd00::1]:8080'; do
    infra --provision_key="$KEY" --gateway=us-east --proxy="$ok" --dry-run
    [ "$status" -eq 0 ] || { echo "--proxy=$ok: $output"; return 1; }
  done
  for bad in https://proxy:3128 http://proxy http://proxy:0 http://proxy:65536 proxy:3128 http://:3128 \
    'http://[nothex]:3128' http://proxy:3128/path http://a@b@proxy:3128 socks5://proxy:1080; do
    infra --provision_key="$KEY" --gateway=us-east --proxy="$bad"
    [ "$status" -eq 64 ] || { echo "--proxy=$bad: $output"; return 1; }
    [[ $output == "infra.sh: --proxy: "* ]]
  done
}

@test "--proxy credentials are never echoed, even when refused" {
  infra --provision_key="$KEY" --gateway=us-east --proxy=http://alice:s3cr3t@proxy:99999
  refused_with '--proxy: http://[redacted]@proxy:99999 is not'
  [[ $output != *s3cr3t* ]]
  infra --provision_key="$KEY" --gateway=us-east --proxy=http://alice:s3cr3t@proxy:3128 --dry-run
  [ "$status" -eq 0 ]
  [[ $output == *'proxy http://[redacted]@proxy:3128'* ]]
  [[ $output != *s3cr3t* ]]
}

@test "--sse_url: https URLs, comma-separated" {
  local ok bad
  for ok in https://sse.example.com https://sse.example.com:8443/api 'https://[::1]:8443' \
    https://a.example,https://b.example:443; do
    infra --provision_key="$KEY" --gateway=us-east --sse_url="$ok" --dry-run
    [ "$status" -eq 0 ] || { echo "--sse_url=$ok: $output"; return 1; }
  done
  for bad in http://sse.example.com sse.example.com https:// https://u:p@sse.example.com \
    https://sse.example.com:0 'https://a.example,' 'https://a.example,,https://b.example' https://-x.example; do
    infra --provision_key="$KEY" --gateway=us-east --sse_url="$bad"
    [ "$status" -eq 64 ] || { echo "--sse_url=$bad: $output"; return 1; }
    [[ $output == "infra.sh: --sse_url: "* ]]
  done
}

@test "--no_proxy: hosts, .domains, *.domains, IPs, CIDRs or *" {
  infra --provision_key="$KEY" --gateway=us-east --dry-run \
    --no_proxy='localhost,.corp,*.internal.example,10.0.0.0/8,192.168.1.1,fd00::/8,[::1],*'
  [ "$status" -eq 0 ]
  for bad in 'a,,b' ',a' 'a,' 'bad_host' '10.0.0.0/999' 'http://x'; do
    infra --provision_key="$KEY" --gateway=us-east --no_proxy="$bad"
    [ "$status" -eq 64 ] || { echo "--no_proxy=$bad: $output"; return 1; }
    [[ $output == "infra.sh: --no_proxy: "* ]]
  done
}

@test "--sse_ca_file must be a readable PEM certificate file" {
  infra --provision_key="$KEY" --gateway=us-east --sse_ca_file=/nonexistent.pem
  refused_with '--sse_ca_file: cannot read /nonexistent.pem'
  echo 'not a certificate' >"$BATS_TEST_TMPDIR/ca.pem"
  infra --provision_key="$KEY" --gateway=us-east --sse_ca_file="$BATS_TEST_TMPDIR/ca.pem"
  refused_with 'holds no PEM certificate'
}

@test "--help prints the usage and exits 0 without doing anything" {
  infra --help
  [ "$status" -eq 0 ]
  local o
  for o in --provision_key= --provision_key_file= --gateway= --proxy= --no_proxy= --sse_url= --sse_ca_file= \
    --allow-unsupported-os --dry-run --uninstall --yes us-east ap-southeast 'exit codes'; do
    [[ $output == *"$o"* ]] || { echo "missing $o"; return 1; }
  done
  [ -z "$(written)" ]
  infra -h
  [ "$status" -eq 0 ]
}

@test "an unknown option is refused with its name" {
  infra --provision_key="$KEY" --gateway=us-east --gatway=us-west
  refused_with 'unknown option "--gatway"'
  infra --provision_key="$KEY" --gateway=us-east extra
  refused_with 'unknown option "extra"'
  infra --provision_key="$KEY" --gateway=us-east --dry-run=yes
  refused_with '--dry-run: takes no value'
  infra --provision_key="$KEY" --gateway
  refused_with '--gateway: needs a value'
}

@test "--uninstall takes no install options" {
  infra --uninstall --gateway=us-east --yes
  refused_with '--uninstall takes only --yes and --dry-run'
}
