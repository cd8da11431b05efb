#!/usr/bin/env bash
# Builds the SPA into dist/ with trunk (release, size-optimised) and prints the wasm's size.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$ROOT/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cd "$ROOT"

trunk build --release "$@"

wasm="$(ls dist/*.wasm | head -n 1)"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "wasm: $((raw / 1000)) kB raw, $((gz / 1000)) kB gzip ($wasm)"
