#!/usr/bin/env bash
# Installs every tool Lectern needs, pinned, skipping what is already present.
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
BINARYEN_VERSION=123.0.0
AXE_CORE_VERSION=4.14.1      # the accessibility checker the browser tests run in the page
KONFUZIO_SDK_VERSION=0.3.52
PYPDFIUM2_VERSION=5.15.2      # carries libpdfium.so (not in Debian or crates.io)
TOOLS_DIR="$(cd "$(dirname "$0")/.." && pwd)/.tools"

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

apt_packages=(chromium chromium-driver postgresql tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu
              libtesseract-dev libleptonica-dev pkg-config clang libclang-dev poppler-utils fonts-dejavu-core)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  log "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# Debug builds of the two CLIs install in minutes instead of half an hour and run fast enough.
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION"
  cargo install --debug --locked trunk --version "$TRUNK_VERSION"
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install --debug --locked wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    || cargo install --debug wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# wasm-opt from npm: Debian's binaryen is too old for wasm-bindgen's output.
if ! "$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  log "installing binaryen $BINARYEN_VERSION (wasm-opt)"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION"
fi

if ! grep -qs "\"version\": \"$AXE_CORE_VERSION\"" "$TOOLS_DIR/node_modules/axe-core/package.json"; then
  log "installing axe-core $AXE_CORE_VERSION"
  mkdir -p "$TOOLS_DIR"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "axe-core@$AXE_CORE_VERSION"
fi

# libpdfium.so for pdfium-render, taken from the pinned pypdfium2 wheel (pypdfium2_raw/libpdfium.so).
PDFIUM_STAMP="$TOOLS_DIR/pdfium/pypdfium2-$PYPDFIUM2_VERSION"
if [ ! -f "$TOOLS_DIR/pdfium/libpdfium.so" ] || [ ! -f "$PDFIUM_STAMP" ]; then
  log "installing libpdfium from pypdfium2 $PYPDFIUM2_VERSION"
  wheel_dir="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary :all: "pypdfium2==$PYPDFIUM2_VERSION" -d "$wheel_dir"
  mkdir -p "$TOOLS_DIR/pdfium"
  python3 - "$wheel_dir"/pypdfium2-*.whl "$TOOLS_DIR/pdfium/libpdfium.so" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("pypdfium2_raw/libpdfium.so") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  rm -rf "$wheel_dir"
  rm -f "$TOOLS_DIR"/pdfium/pypdfium2-*; touch "$PDFIUM_STAMP"
fi
# The official Python SDK, which the test suite runs against the server.
if ! "$TOOLS_DIR/sdk-venv/bin/pip" show konfuzio-sdk 2>/dev/null | grep -qx "Version: $KONFUZIO_SDK_VERSION"; then
  log "installing konfuzio-sdk $KONFUZIO_SDK_VERSION"
  python3 -m venv "$TOOLS_DIR/sdk-venv"
  "$TOOLS_DIR/sdk-venv/bin/pip" install --quiet --disable-pip-version-check "konfuzio-sdk==$KONFUZIO_SDK_VERSION"
fi
log "tools ready"
