#!/usr/bin/env bash
# Runs every test: unit and engine tests, the plugin loaded in a real CLAP host (clack-host),
# the plugin in a real DAW (Ardour 7, headless, VST3) and the documentation examples. nextest
# runs each test in its own process, so the debug plugin's allocation guard (an abort) fails
# only the guilty test.
#
# Three kinds of test need a tool and run here when it is installed (the first two are ignored
# by a plain `cargo test`):
# - the editor-window test needs an X server (Xvfb);
# - the DAW tests (tests/daw) need Ardour 7's headless Lua interpreter `ardour7-lua`
#   (apt-get install --no-install-recommends ardour);
# - the audio tests (tests/cli_audio.rs, tests/monitor.rs, the standalone's SoundFont test)
#   need a General MIDI SoundFont (timgm6mb-soundfont).
# A missing tool prints SKIP (and fails when REPRISE_REQUIRE_XVFB / REPRISE_REQUIRE_ARDOUR /
# REPRISE_REQUIRE_SOUNDFONT is set, as in CI).
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
soundfont_found=""
if [ -n "${REPRISE_SOUNDFONT:-}" ] && [ -f "$REPRISE_SOUNDFONT" ]; then
  soundfont_found=1
fi
for candidate in /usr/share/sounds/sf2/default-GM.sf2 /usr/share/sounds/sf2/FluidR3_GM.sf2 \
  /usr/share/sounds/sf2/TimGM6mb.sf2 /usr/share/sounds/sf3/default-GM.sf3 \
  /usr/share/soundfonts/default.sf2 /usr/share/soundfonts/FluidR3_GM.sf2; do
  [ -f "$candidate" ] && soundfont_found=1
done
if [ -z "$soundfont_found" ]; then
  if [ -n "${REPRISE_REQUIRE_SOUNDFONT:-}" ]; then
    echo "A General MIDI SoundFont is required (REPRISE_REQUIRE_SOUNDFONT is set) but none is installed" >&2
    exit 1
  fi
  echo "SKIP: cli_audio, monitor, standalone soundfont (no General MIDI SoundFont; apt-get install timgm6mb-soundfont, or set REPRISE_SOUNDFONT)"
  excluded+=("binary(cli_audio)" "binary(monitor)" "test(soundfont_is_heard)")
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
