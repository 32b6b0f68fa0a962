#!/usr/bin/env python3
"""pYIN baseline for examples/capture_in_noise.rs (issue 27): notes from librosa's pYIN.

Reads WAV paths on stdin, one per line; for each, prints one line per note found,
"<midi key> <onset s> <offset s>", then a line "END"; a file it cannot read gives a line
"ERROR <why>" before its "END" (the caller stops: a failed item is not an item with no notes).
Offline (whole file at once).

pYIN gives a pitch and a voiced flag per frame; librosa has no note tracker, so notes are
segmented here by a simple rule (ours, stated in BENCHMARKS.md): the rounded pitch of voiced
frames, median-filtered over 5 frames; a note is a run of one key over at least
MIN_FRAMES voiced frames, and a run is also split at an onset librosa's onset detector finds
well inside it (repeated notes of one key); an onset near a run's start (pYIN's centred frames
show voicing early) is taken as the run's onset.

Needs librosa (PyPI): python3 -m venv env && env/bin/pip install librosa
"""
import sys

import librosa
import numpy as np
import scipy.signal

RATE = 22050
HOP = 256  # 11.6 ms
FRAME = 2048  # 93 ms: pYIN's default at this rate, long enough for C2
MIN_FRAMES = 3  # 35 ms: shorter runs are slips, not notes
ONSET_NEAR = 6  # 70 ms: an onset this near a run's start is that run's onset


def notes(path):
    y, _ = librosa.load(path, sr=RATE, mono=True)
    f0, voiced, _ = librosa.pyin(
        y,
        fmin=librosa.note_to_hz("C2"),
        fmax=librosa.note_to_hz("C7"),
        sr=RATE,
        frame_length=FRAME,
        hop_length=HOP,
    )
    keys = np.where(voiced & np.isfinite(f0), np.round(librosa.hz_to_midi(np.nan_to_num(f0, nan=1.0))), 0)
    keys = scipy.signal.medfilt(keys, 5)
    onsets = librosa.onset.onset_detect(y=y, sr=RATE, hop_length=HOP, units="frames")
    times = librosa.frames_to_time(np.arange(len(keys) + 1), sr=RATE, hop_length=HOP)
    # Runs of one key among voiced frames.
    runs = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] > 0 and i - start >= MIN_FRAMES:
                runs.append((start, i))
            start = i
    found = []
    for start, end in runs:
        # pYIN's frames are centred, so voicing shows up to half a frame early: an onset the
        # detector finds near a run's start is its onset; one well inside splits it.
        inside = [o for o in onsets if start - ONSET_NEAR < o < end - MIN_FRAMES]
        cuts = [start]
        for o in inside:
            if o <= start + ONSET_NEAR:
                cuts[0] = max(cuts[0], o)
            elif o - cuts[-1] >= MIN_FRAMES:
                cuts.append(o)
        for a, b in zip(cuts, cuts[1:] + [end]):
            found.append((int(keys[start]), times[a], times[b]))
    return found


def main():
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        try:
            for key, on, off in notes(path):
                print(f"{key} {on:.4f} {off:.4f}")
        except Exception as error:  # report it to the caller, who stops
            print("ERROR " + str(error).replace("\n", " "))
        print("END", flush=True)


if __name__ == "__main__":
    main()
