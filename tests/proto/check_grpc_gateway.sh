#!/usr/bin/env bash
# Checks that the real grpc-gateway v2 accepts our google.api.http rules (docs/architecture.md "REST gateway"): installs pinned
# protoc-gen-grpc-gateway and protoc-gen-go from the Go module proxy into a cache dir, runs protoc on
# the service protos and fails on any protoc/plugin error or if a gateway file is missing.
#
# Usage: check_grpc_gateway.sh PROTO_ROOT CACHE_DIR OUT_DIR
set -euo pipefail

GATEWAY_VERSION=v2.33.0          # github.com/grpc-ecosystem/grpc-gateway/v2
PROTOBUF_GO_VERSION=v1.36.11     # google.golang.org/protobuf

proto_root=$(cd "${1:?proto root}" && pwd)
cache_dir=${2:?cache dir}
out_dir=${3:?out dir}

# The Go toolchain of this machine kind lives in /usr/local/go, which a non-login shell (CI) may not
# have on PATH. Debian 12's own golang (1.19) is too old for grpc-gateway v2.33.
[ -x /usr/local/go/bin/go ] && PATH="$PATH:/usr/local/go/bin"

for tool in go protoc; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool not found on PATH" >&2; exit 1; }
done

# One bin dir per pinned pair, so bumping a version never reuses a stale plugin.
gobin="$cache_dir/bin-gateway-$GATEWAY_VERSION-go-$PROTOBUF_GO_VERSION"
mkdir -p "$gobin"
if [[ ! -x "$gobin/protoc-gen-grpc-gateway" || ! -x "$gobin/protoc-gen-go" ]]; then
  echo "installing protoc-gen-grpc-gateway@$GATEWAY_VERSION and protoc-gen-go@$PROTOBUF_GO_VERSION into $gobin"
  GOBIN="$gobin" GOFLAGS=-mod=mod go install \
    "github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$GATEWAY_VERSION"
  GOBIN="$gobin" GOFLAGS=-mod=mod go install \
    "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOBUF_GO_VERSION"
fi

rm -rf "$out_dir"
mkdir -p "$out_dir/go" "$out_dir/gateway"

service_protos=(nebula/v1/api_manager.proto nebula/v1/worker_agent.proto nebula/v1/identity.proto)
# Command substitution, not `< <(...)`: with stdin closed (test runners, CI) bash may give the process
# substitution fd 0 and lose its output.
# shellcheck disable=SC2207  # proto paths have no spaces
all_nebula_protos=($(cd "$proto_root" && find nebula -name '*.proto' | sort))

cd "$proto_root"
set -x
# Messages for every nebula proto (the gateway code refers to them) ...
protoc -I . --plugin=protoc-gen-go="$gobin/protoc-gen-go" \
  --go_out="$out_dir/go" --go_opt=paths=source_relative "${all_nebula_protos[@]}"
# ... and the reverse proxies for the services: this is where the http rules are checked.
protoc -I . --plugin=protoc-gen-grpc-gateway="$gobin/protoc-gen-grpc-gateway" \
  --grpc-gateway_out="$out_dir/gateway" --grpc-gateway_opt=paths=source_relative \
  "${service_protos[@]}"
set +x

status=0
for p in "${service_protos[@]}"; do
  gw="$out_dir/gateway/${p%.proto}.pb.gw.go"
  if [[ ! -s "$gw" ]]; then
    echo "FAIL: grpc-gateway produced no $gw" >&2
    status=1
  fi
done
# Every rule must have become a route; a rule the plugin silently dropped would not.
gw="$out_dir/gateway/nebula/v1/api_manager.pb.gw.go"
for route in 'pattern_ApiManager_CreateApp_0' 'pattern_ApiManager_GetApp_0' 'pattern_ApiManager_ListApps_0' \
             'pattern_ApiManager_UpdateApp_0' 'pattern_ApiManager_UpdateApp_1' 'pattern_ApiManager_DeleteApp_0'; do
  if ! grep -q "$route" "$gw" 2>/dev/null; then
    echo "FAIL: $route missing from $gw" >&2
    status=1
  fi
done
if ! grep -q 'pattern_WorkerAgent_GetStatus_0' "$out_dir/gateway/nebula/v1/worker_agent.pb.gw.go" 2>/dev/null; then
  echo "FAIL: pattern_WorkerAgent_GetStatus_0 missing" >&2
  status=1
fi
[[ $status -eq 0 ]] && echo "OK: grpc-gateway $GATEWAY_VERSION accepts ${service_protos[*]}"
exit $status
