#!/usr/bin/env bash
# Opens the standalone Reprise (dummy audio backend, demo motif in slot 1) under Xvfb and writes
# PNGs of its editor at 100 % and 200 % scale: docs/editor.png and docs/editor@2x.png, or
# OUT.png and OUT@2x.png for `scripts/screenshot.sh OUT.png`.
# Needs: Xvfb (xvfb, xauth), xdotool, ImageMagick's `import` (imagemagick), xrdb
# (x11-xserver-utils: the scale is the X resource Xft.dpi, as on a HiDPI desktop) and, to build the
# standalone, pkg-config libasound2-dev libjack-jackd2-dev; `.ci/run` installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/editor.png}"
out2x="${out%.png}@2x.png"

missing=""
command -v Xvfb >/dev/null 2>&1 || missing="$missing Xvfb (apt-get install xvfb xauth)"
command -v xdotool >/dev/null 2>&1 || missing="$missing, xdotool (apt-get install xdotool)"
command -v import >/dev/null 2>&1 || missing="$missing, ImageMagick's import (apt-get install imagemagick)"
command -v xrdb >/dev/null 2>&1 || missing="$missing, xrdb (apt-get install x11-xserver-utils)"
if [ -n "$missing" ]; then
  echo "screenshot.sh: missing${missing#,}; the editor needs a display to be photographed" >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
cargo build --release --locked -p reprise-standalone
display=":$(( 90 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 2048x1700x24 -nolisten tcp -noreset >/dev/null 2>&1 &
xvfb_pid=$!
app_pid=""
cleanup() { [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null; kill "$xvfb_pid" 2>/dev/null; }
trap cleanup EXIT
sleep 1
if ! kill -0 "$xvfb_pid" 2>/dev/null; then
  echo "screenshot.sh: Xvfb did not start on $display" >&2
  exit 1
fi

# shot SCALE FILE: one window at that scale, photographed after a few bars of playback.
shot() {
  local scale="$1" file="$2" window=""
  # The window scale comes from Xft.dpi (96 dpi = 100 %), as a desktop's HiDPI setting gives it.
  echo "Xft.dpi: $(( 96 * scale ))" | DISPLAY="$display" xrdb -nocpp -merge
  DISPLAY="$display" LIBGL_ALWAYS_SOFTWARE=1 target/release/reprise-standalone --backend dummy \
    --dpi-scale "$scale" >/tmp/reprise-standalone.log 2>&1 &
  app_pid=$!
  for _ in $(seq 1 60); do
    window=$(DISPLAY="$display" xdotool search --name "Reprise" 2>/dev/null | head -n 1 || true)
    [ -n "$window" ] && break
    sleep 0.5
  done
  if [ -z "$window" ]; then
    echo "screenshot.sh: the Reprise window did not appear; log:" >&2
    cat /tmp/reprise-standalone.log >&2
    exit 1
  fi
  # Let the dummy backend play a few bars so the playhead and rendering are on screen.
  sleep 4
  DISPLAY="$display" import -window "$window" "$file"
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
  echo "wrote $file (scale $scale)"
}
shot 1 "$out"
shot 2 "$out2x"
