#!/usr/bin/env bash
# Runs every test: unit and engine tests, the plugin loaded in a real CLAP host (clack-host),
# the plugin in a real DAW (Ardour 7, headless, VST3) and the documentation examples. nextest
# runs each test in its own process, so the debug plugin's allocation guard (an abort) fails
# only the guilty test.
#
# Two kinds of test are ignored by default and run here when their tool is installed:
# - the editor-window test needs an X server (Xvfb);
# - the DAW tests (tests/daw) need Ardour 7's headless Lua interpreter `ardour7-lua`
#   (apt-get install --no-install-recommends ardour).
# A missing tool prints SKIP (and fails when REPRISE_REQUIRE_XVFB / REPRISE_REQUIRE_ARDOUR is
# set, as in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
excluded=()
if ! command -v Xvfb >/dev/null 2>&1; then
  if [ -n "${REPRISE_REQUIRE_XVFB:-}" ]; then
    echo "Xvfb is required (REPRISE_REQUIRE_XVFB is set) but not installed" >&2
    exit 1
  fi
  echo "SKIP: clap_host editor_window (Xvfb is not installed; apt-get install xvfb to run it)"
  excluded+=("test(editor_window)")
fi
if ! command -v ardour7-lua >/dev/null 2>&1 || [ ! -x /usr/lib/ardour7/ardour-vst3-scanner ]; then
  if [ -n "${REPRISE_REQUIRE_ARDOUR:-}" ]; then
    echo "Ardour 7 is required (REPRISE_REQUIRE_ARDOUR is set) but ardour7-lua is not installed" >&2
    exit 1
  fi
  echo "SKIP: daw (Ardour 7 is not installed; apt-get install --no-install-recommends ardour)"
  excluded+=("binary(daw)")
fi
filter="all()"
for expr in "${excluded[@]+"${excluded[@]}"}"; do
  filter="$filter - $expr"
done
cargo nextest run --locked --workspace --no-fail-fast --run-ignored all -E "$filter"
for expr in "${excluded[@]+"${excluded[@]}"}"; do
  echo "SKIP: $expr (see above)"
done
cargo test --locked --doc
