# shellcheck shell=bash
# Shared steps of deploy/local/up, tests/run and .ci/run: Debian packages, the Kafka broker jars, the
# build. Sourced, never executed. Every step checks first, so a ready machine pays (almost) nothing.
#
# Knobs (environment):
#   NEBULA_BUILD_DIR   build directory (default: <repo>/build)
#   NEBULA_KAFKA_LIBS  Kafka jar cache (default: ${XDG_CACHE_HOME:-$HOME/.cache}/nebula/kafka-3.9.1/libs)

NEBULA_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# ccache keys on paths relative to the checkout, so clones in other directories share its hits.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$NEBULA_REPO}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
NEBULA_BUILD_DIR="${NEBULA_BUILD_DIR:-$NEBULA_REPO/build}"
NEBULA_KAFKA_VERSION=3.9.1
NEBULA_KAFKA_LIBS="${NEBULA_KAFKA_LIBS:-${XDG_CACHE_HOME:-$HOME/.cache}/nebula/kafka-$NEBULA_KAFKA_VERSION/libs}"
export NEBULA_KAFKA_LIBS

# What compiles the tree (docs/local-stack.md and the stack notes explain each).
NEBULA_BUILD_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev librdkafka-dev libcli11-dev catch2
  libboost-dev libboost-system-dev libboost-filesystem-dev libboost-thread-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libssl-dev libcpp-httplib-dev libsodium-dev libyaml-dev
  clang-format  # tests/style/check_format.sh (ctest style.clang_format)
  clang libclang-rt-14-dev  # libFuzzer targets (cmake -DNEBULA_FUZZ=ON, CC=clang CXX=clang++): tests/services/gateway/fuzz
)
# What nebula-devstack runs, what fetches the Kafka jars, and what the Python SDK tests use.
NEBULA_RUNTIME_PACKAGES=(
  postgresql docker.io docker-registry kcat busybox-static maven curl
  python3-venv python3-grpcio python3-protobuf
)

nebula_say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

nebula_as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "need root to run: $*  (run this script as root, or install sudo)" >&2
    return 1
  fi
}

# Prints the packages of "$@" that are not installed.
nebula_missing_packages() {
  local installed
  installed=" $(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
    awk '$NF == "installed" && $(NF-1) == "ok" { printf "%s ", $1 }')"
  local p
  for p in "$@"; do
    case "$installed" in *" $p "*) ;; *) echo "$p" ;; esac
  done
}

nebula_install_packages() {
  local missing=()
  # Command substitution, not `< <(...)`: CI may start us with stdin closed, and bash could then give the
  # process substitution fd 0 and lose its output. Package names have no spaces.
  # shellcheck disable=SC2207
  missing=($(nebula_missing_packages "${NEBULA_BUILD_PACKAGES[@]}" "${NEBULA_RUNTIME_PACKAGES[@]}"))
  # Any Java 17+ runtime will do; take Debian's 17 when there is none.
  if ! command -v java >/dev/null 2>&1; then missing+=(openjdk-17-jre-headless); fi
  if [ "${#missing[@]}" -eq 0 ]; then
    nebula_say "Debian packages: all present"
    return 0
  fi
  nebula_say "installing Debian packages: ${missing[*]}"
  # Without systemd (containers, CI) the maintainer scripts would start the system PostgreSQL cluster
  # and dockerd through init scripts, leaving servers nobody stops; policy-rc.d 101 forbids that.
  local policy=/usr/sbin/policy-rc.d added_policy=
  if [ ! -d /run/systemd/system ] && [ ! -e "$policy" ]; then
    nebula_as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    added_policy=1
  fi
  local rc=0
  nebula_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
  if [ "$rc" = 0 ]; then
    nebula_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${missing[@]}" || rc=$?
  fi
  if [ -n "$added_policy" ]; then nebula_as_root rm -f "$policy"; fi
  return "$rc"
}

# Copies kafka_2.13 and its runtime dependencies from Maven Central, once per cache dir.
nebula_fetch_kafka_jars() {
  local dir="$NEBULA_KAFKA_LIBS"
  if [ -f "$dir/kafka_2.13-$NEBULA_KAFKA_VERSION.jar" ]; then
    nebula_say "Kafka $NEBULA_KAFKA_VERSION jars: cached in $dir"
    return 0
  fi
  nebula_say "fetching the Kafka $NEBULA_KAFKA_VERSION jars from Maven Central into $dir"
  # Into a scratch dir first: an interrupted download never looks like a complete cache.
  local partial="$dir.partial.$$"
  rm -rf "$partial"
  mkdir -p "$partial"
  if ! mvn -B -q -Dstyle.color=never -f "$NEBULA_REPO/deploy/local/kafka/pom.xml" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$partial"; then
    rm -rf "$partial"
    echo "fetching the Kafka jars failed (mvn above); Maven Central must be reachable" >&2
    return 1
  fi
  rm -rf "$dir"
  mv "$partial" "$dir"
}

# Configures (once; cmake re-runs itself when CMakeLists change) and builds. Extra args go to ninja.
nebula_build() {
  if [ ! -f "$NEBULA_BUILD_DIR/build.ninja" ]; then
    nebula_say "configuring $NEBULA_BUILD_DIR"
    cmake -S "$NEBULA_REPO" -B "$NEBULA_BUILD_DIR" -G Ninja --log-level=WARNING
  fi
  nebula_say "building in $NEBULA_BUILD_DIR"
  ninja -C "$NEBULA_BUILD_DIR" "$@"
}

# The gateway's libFuzzer targets, from a second, clang-built tree (<build>-fuzz): libFuzzer and ASan come
# from compiler-rt (libclang-rt-14-dev), which `clang --no-install-recommends` does not bring.
NEBULA_FUZZ_TARGETS=(gateway_path_template_fuzz gateway_transcode_fuzz)
nebula_build_fuzz() {
  local dir="$NEBULA_BUILD_DIR-fuzz"
  if [ ! -f "$dir/build.ninja" ]; then
    nebula_say "configuring $dir (clang, libFuzzer)"
    CC=clang CXX=clang++ cmake -S "$NEBULA_REPO" -B "$dir" -G Ninja --log-level=WARNING -DNEBULA_FUZZ=ON
  fi
  nebula_say "building the fuzz targets in $dir"
  ninja -C "$dir" "${NEBULA_FUZZ_TARGETS[@]}"
}

# Everything up to a built tree: what deploy/local/up and tests/run both start with.
nebula_prepare() {
  nebula_install_packages
  nebula_fetch_kafka_jars
  nebula_build
}
