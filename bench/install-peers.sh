#!/usr/bin/env bash
# Installs the tools `cargo bench --bench roadmap` compares against, into target/bench-peers/:
#   venv/   Python >= 3.13 with roadmap-cli==1.0.2 (the Python tracker) and PyYAML (with its
#           C loader when libyaml is available)
#   node/   Backlog.md (`npm install backlog.md`)
# Each peer is optional: one that cannot be installed is reported and skipped, and the bench
# prints "skipped" for it. Running the script again reuses what is already there.
#
# Usage: bench/install-peers.sh          (PYTHON=/path/to/python3.13 to choose the interpreter)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PEERS="$ROOT/target/bench-peers"
mkdir -p "$PEERS"

find_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  local candidates=()
  if command -v pyenv >/dev/null 2>&1; then
    local root
    root=$(pyenv root)
    for dir in "$root"/versions/3.*; do candidates+=("$dir/bin/python"); done
  fi
  candidates+=(python3.14 python3.13 python3)
  for python in "${candidates[@]}"; do
    if command -v "$python" >/dev/null 2>&1 &&
      "$python" -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null; then
      command -v "$python"
      return
    fi
  done
}

install_python_peers() {
  local python
  python=$(find_python)
  if [ -z "$python" ]; then
    echo "skipping the Python tracker and PyYAML: no Python >= 3.13 found (set PYTHON=...)"
    return
  fi
  local venv="$PEERS/venv"
  if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" || { echo "skipping Python peers: venv failed"; return; }
  fi
  # roadmap-cli 1.0.2 is marked yanked on PyPI; pip still installs it when pinned with ==.
  "$venv/bin/pip" install --quiet roadmap-cli==1.0.2 pyyaml ||
    echo "warning: pip install roadmap-cli==1.0.2 pyyaml failed"
  "$venv/bin/python" - <<'EOF'
import yaml
print("PyYAML", yaml.__version__, "with CSafeLoader" if hasattr(yaml, "CSafeLoader") else "WITHOUT CSafeLoader (no libyaml)")
EOF
  [ -x "$venv/bin/roadmap" ] && echo "roadmap-cli: $("$venv/bin/pip" show roadmap-cli | grep ^Version)"
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
      echo "skipping Backlog.md: npm install backlog.md failed"
      return
    }
  fi
  echo "Backlog.md: $("$dir/node_modules/.bin/backlog" --version 2>/dev/null || echo '?')"
}

install_python_peers
install_backlog
echo "peers in $PEERS"
