#!/usr/bin/env bash
# Builds the reference grpc-gateway v2.33.0 binary from the project's protos (the Go module proxy is
# the only download source). Usage: build_reference_gateway.sh PROTO_ROOT WORK_DIR OUTPUT_BINARY
set -euo pipefail
# Test runners may start us with stdin closed; bash could then hand fd 0 to the process substitution
# below and lose its output (an empty proto list). A real stdin keeps the descriptors apart.
exec </dev/null

GATEWAY_VERSION=v2.33.0
PROTOBUF_GO_VERSION=v1.36.11
GRPC_GO_GRPC_VERSION=v1.5.1   # google.golang.org/grpc/cmd/protoc-gen-go-grpc

proto_root=$(cd "${1:?proto root}" && pwd)
work=${2:?work dir}
output=${3:?output binary}
here=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/local/go/bin/go ] && PATH="$PATH:/usr/local/go/bin"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

gobin="$work/bin"
mkdir -p "$gobin"
[[ -x "$gobin/protoc-gen-grpc-gateway" ]] ||
  GOBIN="$gobin" go install "github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$GATEWAY_VERSION"
[[ -x "$gobin/protoc-gen-go" ]] || GOBIN="$gobin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOBUF_GO_VERSION"
[[ -x "$gobin/protoc-gen-go-grpc" ]] ||
  GOBIN="$gobin" go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$GRPC_GO_GRPC_VERSION"

module="$work/module"
rm -rf "$module"
mkdir -p "$module/gen/go"
cp "$here/main.go" "$module/main.go"
cat > "$module/go.mod" <<MOD
module github.com/nebula-orchestrator/nebula

go 1.25
MOD
protos=()
while IFS= read -r p; do protos+=("$p"); done < <(cd "$proto_root" && find nebula -name '*.proto' | sort)
(cd "$proto_root" && protoc -I . \
  --plugin=protoc-gen-go="$gobin/protoc-gen-go" --go_out="$module/gen/go" --go_opt=paths=source_relative \
  --plugin=protoc-gen-go-grpc="$gobin/protoc-gen-go-grpc" --go-grpc_out="$module/gen/go" \
  --go-grpc_opt=paths=source_relative \
  --plugin=protoc-gen-grpc-gateway="$gobin/protoc-gen-grpc-gateway" --grpc-gateway_out="$module/gen/go" \
  --grpc-gateway_opt=paths=source_relative \
  "${protos[@]}")
cd "$module"
go get "github.com/grpc-ecosystem/grpc-gateway/v2@$GATEWAY_VERSION" >/dev/null
go mod tidy >/dev/null
go build -o "$output" .
echo "built $output (grpc-gateway $GATEWAY_VERSION)"
