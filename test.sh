#!/usr/bin/env bash
# Runs Lectern's whole test suite: unit tests, the API tests on SQLite and on PostgreSQL, and the
# browser tests in Chromium against the real server.

# Build once: the SPA in release (size-optimised) and one server binary every end-to-end test starts.
source "$(dirname "$0")/scripts/prepare.sh"
cargo build -p lectern-server
export LECTERN_SERVER_BIN="$root/target/debug/lectern-server"
export LECTERN_DIST="$root/dist"

pg=$(scripts/pg.sh)
trap 'scripts/pg.sh stop "${pg#* }"' EXIT

echo "== unit and API tests (SQLite)"
failed=0
cargo nextest run --workspace --no-fail-fast -E 'not (package(lectern-tests) and binary(/^browser/))' || failed=1
echo "== browser tests"
# Each browser file is one process that starts one server and one Chromium for all its scenarios
# (tests/src/browser.rs); nextest would start a process, and so a server and a browser, per scenario.
cargo test --workspace --no-fail-fast --test 'browser_*' || failed=1
[ "$failed" = 0 ] # as before: no PostgreSQL pass after a failure
echo "== API and store tests on PostgreSQL"
# The same package selection as above, so the build is reused rather than redone with other features.
LECTERN_TEST_PG="${pg% *}" cargo nextest run --workspace --no-fail-fast \
  -E '(package(lectern-tests) and not binary(/^browser/)) or (package(lectern-server) and test(/^(db|domain)::/))'
