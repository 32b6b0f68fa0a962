#!/usr/bin/env bash
# Opens the standalone Reprise (dummy audio backend, demo motif in slot 1) under Xvfb and writes
# a PNG of its editor: docs/editor.png (or the path given as $1).
# Needs: xvfb xauth imagemagick x11-utils xdotool (and libasound2-dev libjack-jackd2-dev
# pkg-config to build the standalone); `.ci/run` installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/editor.png}"
mkdir -p "$(dirname "$out")"
cargo build --release --locked -p reprise-standalone
display=":$(( 90 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 1280x1024x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
app_pid=""
cleanup() { [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null; kill "$xvfb_pid" 2>/dev/null; }
trap cleanup EXIT
sleep 1
DISPLAY="$display" LIBGL_ALWAYS_SOFTWARE=1 target/release/reprise-standalone --backend dummy >/tmp/reprise-standalone.log 2>&1 &
app_pid=$!
window=""
for _ in $(seq 1 60); do
  window=$(DISPLAY="$display" xdotool search --name "Reprise" 2>/dev/null | head -n 1 || true)
  [ -n "$window" ] && break
  sleep 0.5
done
if [ -z "$window" ]; then
  echo "the Reprise window did not appear; log:" >&2
  cat /tmp/reprise-standalone.log >&2
  exit 1
fi
# Let the dummy backend play a few bars so the playhead and rendering are on screen.
sleep 4
DISPLAY="$display" import -window "$window" "$out"
echo "wrote $out"
