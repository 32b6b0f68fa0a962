#!/usr/bin/env bash
# Runs every test: unit and engine tests, the plugin loaded in a real CLAP host (clack-host),
# and the documentation examples. nextest runs each test in its own process, so the debug
# plugin's allocation guard (an abort) fails only the guilty test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo nextest run --locked --no-fail-fast
cargo test --locked --doc
