#!/bin/sh
# Installs roadmap and roadmap-hooks from this checkout into ~/.cargo/bin (or $CARGO_INSTALL_ROOT),
# then installs the git hooks in the repository given (default: the current directory).
#
#   install/install.sh [REPO]
set -eu
source_dir=$(cd "$(dirname "$0")/.." && pwd)
repo=${1:-.}
cargo install --locked --path "$source_dir" --bins --quiet
bin_dir=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin
"$bin_dir/roadmap-hooks" install --repo "$repo"
echo "installed: $bin_dir/roadmap and $bin_dir/roadmap-hooks"
