#!/usr/bin/env bash
# Installs the tools the differential tests and `cargo bench --bench roadmap` compare against,
# into target/bench-peers/:
#   venv/      Python >= 3.13 with roadmap-cli==1.0.2 (the tracker's legacy line) and PyYAML
#              (with its C loader when libyaml is available)
#   venv-0.3/  Python >= 3.12 with roadmap-cli==0.3.1 (what `pipx install roadmap-cli` gives
#              today, the 0.2 contract) and PyYAML
#   node/      Backlog.md (`npm install backlog.md`), for the bench only
# Running the script again reuses what is already there (a venv holding the pinned version is
# not touched, so a second run makes no network request).
#
# Usage: bench/install-peers.sh [--trackers-only] [--strict]
#   --trackers-only  the two Python venvs, not Backlog.md (what .ci/run needs)
#   --strict         a peer that cannot be installed is an error (exit 1); without it, it is
#                    reported and skipped, and the bench prints "skipped" for it
#   PYTHON=/path/to/python3.13, PYTHON_0_3=/path/to/python3.12 choose the interpreters.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS="$ROOT/target/bench-peers"
mkdir -p "$PEERS"

trackers_only=false
strict=false
for arg in "$@"; do
  case $arg in
    --trackers-only) trackers_only=true ;;
    --strict) strict=true ;;
    *) echo "usage: bench/install-peers.sh [--trackers-only] [--strict]" >&2; exit 2 ;;
  esac
done
failed=0
# fail WHAT: reports a peer that could not be installed; under --strict the script then fails.
fail() {
  echo "install-peers: $1" >&2
  failed=1
}

# find_python MINOR [OVERRIDE]: a Python >= 3.MINOR, pyenv's versions first.
find_python() {
  local minor=$1 override=${2:-}
  if [ -n "$override" ]; then echo "$override"; return; fi
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    local root
    root=$(pyenv root)
    for dir in "$root"/versions/3.*; do candidates+=("$dir/bin/python"); done
  elif [ -d /root/.pyenv/versions ]; then
    for dir in /root/.pyenv/versions/3.*; do candidates+=("$dir/bin/python"); done
  fi
  candidates+=(python3.14 python3.13 python3.12 python3)
  for python in "${candidates[@]}"; do
    if command -v "$python" >/dev/null 2>&1 &&
      "$python" -c "import sys; sys.exit(sys.version_info < (3, $minor))" 2>/dev/null; then
      command -v "$python"
      return
    fi
  done
}

# install_tracker VENV VERSION MINOR [OVERRIDE]: roadmap-cli==VERSION and PyYAML in VENV.
install_tracker() {
  local venv="$PEERS/$1" version=$2 minor=$3 override=${4:-}
  if [ -x "$venv/bin/roadmap" ] &&
    [ "$("$venv/bin/pip" show roadmap-cli 2>/dev/null | sed -n 's/^Version: //p')" = "$version" ] &&
    "$venv/bin/python" -c 'import yaml' 2>/dev/null; then
    echo "roadmap-cli $version: reused $venv"
    return
  fi
  local python
  python=$(find_python "$minor" "$override")
  if [ -z "$python" ]; then
    fail "roadmap-cli $version: no Python >= 3.$minor found (set PYTHON=...)"
    return
  fi
  if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" || { fail "roadmap-cli $version: $python -m venv $venv failed"; return; }
  fi
  # roadmap-cli 1.0.2 is marked yanked on PyPI; pip still installs it when pinned with ==.
  "$venv/bin/pip" install --quiet --disable-pip-version-check "roadmap-cli==$version" pyyaml ||
    { fail "pip install roadmap-cli==$version pyyaml failed in $venv"; return; }
  [ -x "$venv/bin/roadmap" ] || { fail "roadmap-cli $version: no $venv/bin/roadmap"; return; }
  echo "roadmap-cli $version: installed in $venv"
  "$venv/bin/python" - <<'PY'
import yaml
print("  PyYAML", yaml.__version__, "with CSafeLoader" if hasattr(yaml, "CSafeLoader") else "WITHOUT CSafeLoader (no libyaml)")
PY
}

install_backlog() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "skipping Backlog.md: npm not found"
    return
  fi
  local dir="$PEERS/node"
  mkdir -p "$dir"
  if [ ! -e "$dir/node_modules/.bin/backlog" ]; then
    (cd "$dir" && npm install --silent --no-save backlog.md) || {
      fail "npm install backlog.md failed"
      return
    }
  fi
  echo "Backlog.md: $("$dir/node_modules/.bin/backlog" --version 2>/dev/null || echo '?')"
}

# 1.0.2 keeps the venv/ path the bench, make-effects.sh and the tests have always used.
install_tracker venv 1.0.2 13 "${PYTHON:-}"
install_tracker venv-0.3 0.3.1 12 "${PYTHON_0_3:-}"
$trackers_only || install_backlog
echo "peers in $PEERS"
if [ $failed -ne 0 ] && $strict; then exit 1; fi
exit 0
