#!/usr/bin/env bash
# Sets everything up, builds Lectern in release mode, seeds the demo project and starts it on
# http://127.0.0.1:8080 (override with LECTERN_ADDR); data lives in ./data (LECTERN_DATA_DIR).
source "$(dirname "$0")/scripts/prepare.sh"
cargo build --release -p lectern-server

server="$root/target/release/lectern-server"
export LECTERN_DATA_DIR="${LECTERN_DATA_DIR:-$root/data}"
export PDFIUM_LIB="${PDFIUM_LIB:-$root/.tools/pdfium/libpdfium.so}"
"$server" seed-demo
echo "Lectern: http://${LECTERN_ADDR:-127.0.0.1:8080}/"
exec "$server" serve --dist "$root/dist"
