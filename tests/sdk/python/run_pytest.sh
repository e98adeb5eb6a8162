#!/usr/bin/env bash
# ctest entry of the Python SDK tests: creates (or refreshes) a venv with Debian's python3 and packages from
# PyPI, installs sdk/python into it from a copy (the source tree stays clean), then runs pytest here.
#   run_pytest.sh <repo dir> <build dir> [pytest args...]
# Knobs: NEBULA_PYTHON (default /usr/bin/python3), NEBULA_PYTHON_VENV (default <build>/tests/sdk/python/venv).
set -euo pipefail
repo=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
shift 2
python=${NEBULA_PYTHON:-/usr/bin/python3}
venv=${NEBULA_PYTHON_VENV:-$build/tests/sdk/python/venv}
here=$repo/tests/sdk/python
requirements=("$here/requirements.txt" "$repo/sdk/python/tools/requirements-generate.txt")

# Recreated whenever a requirements file or the SDK's dependency bounds change.
wanted=$(cat "${requirements[@]}" "$repo/sdk/python/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.nebula-stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "creating test venv $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip setuptools
  "$venv/bin/pip" install -q "${requirements[@]/#/-r}"
  echo "$wanted" > "$venv/.nebula-stamp"
fi

copy=$(mktemp -d /tmp/nebula-sdk-python-XXXXXX)
trap 'rm -rf "$copy"' EXIT
cp -r "$repo/sdk/python" "$copy/python"
rm -rf "$copy/python/build" "$copy/python/src/"*.egg-info
# Dependencies resolve within pyproject's bounds against what the venv already has.
"$venv/bin/pip" install -q --no-build-isolation "$copy/python"
"$venv/bin/pip" check

export NEBULA_BIN_DIR=${NEBULA_BIN_DIR:-$build/bin}
export NEBULA_REPO_DIR=$repo
export NEBULA_PYTHON=$python
export PYTHONDONTWRITEBYTECODE=1
cd "$here"
# No exec: the EXIT trap must still remove the copy.
"$venv/bin/python" -m pytest -p no:cacheprovider -ra --durations=10 "$@"
