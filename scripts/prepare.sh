# Sourced by run.sh and test.sh: installs the pinned tools (each skipped when present), puts them on PATH,
# and builds the SPA into dist/ once for both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

scripts/setup.sh
export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
scripts/build-spa.sh
