#!/usr/bin/env python3
"""Score audio capture (issue 13) on the set made by scripts/audio_dataset.py.

For every item and condition it runs
- Reprise: `reprise listen ITEM.wav --csv ... --block 64 --range PRESET` (the plugin's tracker,
  fed 64-sample blocks as a host would), which also gives each note's emission time;
- aubionotes (Debian aubio-tools), the live baseline, with its defaults;
- pYIN (librosa.pyin), the offline baseline: frame pitches, voiced runs segmented into notes at
  pitch changes of more than half a semitone held for 50 ms;
and scores each with mir_eval.transcription: note F-measure with onsets within 50 ms and pitch
within 50 cents, the same also requiring offsets, and the median onset error of matched notes.
For Reprise it also reports the emission latency (emit_s - true onset, matched notes) and the
CPU time as a real-time factor; with --families, also the latency per family, split into notes
after a rest and legato notes. Prints a Markdown table for BENCHMARKS.md.

Usage: python3 scripts/audio_eval.py [--set target/audio-eval] [--reprise target/release/reprise]
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

try:
    import librosa
    import mir_eval
except ImportError:
    sys.exit("audio_eval.py: needs librosa and mir_eval (pip install librosa mir_eval)")

CONDITIONS = ("clean", "noise20", "reverb")


def truth(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    intervals = np.array([[float(r["onset_s"]), float(r["offset_s"])] for r in rows])
    pitches = np.array([float(r["midi_pitch"]) for r in rows])
    return intervals, pitches


def run_reprise(binary, wav, preset):
    with tempfile.NamedTemporaryFile(suffix=".csv") as out:
        started = time.process_time()
        subprocess.run(
            [binary, "listen", wav, "--csv", out.name, "--block", "64", "--range", preset],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cpu = time.process_time() - started
        children = os.times()
        with open(out.name) as f:
            rows = list(csv.DictReader(f))
    intervals = np.array([[float(r["onset_s"]), float(r["offset_s"])] for r in rows]).reshape(-1, 2)
    pitches = np.array([float(r["midi_pitch"]) for r in rows])
    emits = np.array([float(r["emit_s"]) for r in rows])
    return intervals, pitches, emits


def run_aubio(wav):
    out = subprocess.run(["aubionotes", "-i", wav], check=True, capture_output=True, text=True).stdout
    intervals, pitches = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            pitch, onset, offset = float(parts[0]), float(parts[1]), float(parts[2])
            intervals.append([onset, offset])
            pitches.append(pitch)
    return np.array(intervals).reshape(-1, 2), np.array(pitches)


def run_pyin(wav):
    y, sr = librosa.load(wav, sr=22050, mono=True)
    hop = 256
    f0, voiced, _ = librosa.pyin(y, fmin=60, fmax=2100, sr=sr, hop_length=hop)
    times = librosa.times_like(f0, sr=sr, hop_length=hop)
    midi = np.where(voiced, librosa.hz_to_midi(np.nan_to_num(f0, nan=1.0)), np.nan)
    intervals, pitches = [], []
    start, values = None, []
    hold = int(0.05 * sr / hop)

    def close(end_index):
        if start is not None and len(values) >= 2:
            intervals.append([times[start], times[end_index]])
            pitches.append(float(np.round(np.median(values))))

    i = 0
    while i < len(midi):
        p = midi[i]
        if np.isnan(p):
            close(i)
            start, values = None, []
        elif start is None:
            start, values = i, [p]
        elif abs(p - np.median(values)) > 0.5 and all(
            not np.isnan(q) and abs(q - np.median(values)) > 0.5 for q in midi[i : i + hold]
        ):
            close(i)
            start, values = i, [p]
        else:
            values.append(p)
        i += 1
    close(len(midi) - 1)
    return np.array(intervals).reshape(-1, 2), np.array(pitches)


def midi_to_hz(m):
    return 440.0 * 2 ** ((np.asarray(m) - 69) / 12)


def score(ref_i, ref_p, est_i, est_p):
    if len(est_i) == 0:
        return 0.0, 0.0, []
    ref_hz, est_hz = midi_to_hz(ref_p), midi_to_hz(est_p)
    _, _, f_on, _ = mir_eval.transcription.precision_recall_f1_overlap(
        ref_i, ref_hz, est_i, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None
    )
    _, _, f_off, _ = mir_eval.transcription.precision_recall_f1_overlap(
        ref_i, ref_hz, est_i, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0
    )
    matches = mir_eval.transcription.match_notes(
        ref_i, ref_hz, est_i, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0, offset_ratio=None
    )
    return f_on, f_off, matches


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="target/audio-eval")
    parser.add_argument("--reprise", default="target/release/reprise")
    parser.add_argument(
        "--methods",
        default="Reprise,aubionotes,pYIN",
        help="comma-separated subset of Reprise,aubionotes,pYIN (pYIN takes minutes)",
    )
    parser.add_argument("--families", action="store_true", help="also print note F per family")
    args = parser.parse_args()
    methods = tuple(m for m in args.methods.split(",") if m)
    unknown = set(methods) - {"Reprise", "aubionotes", "pYIN"}
    if unknown:
        sys.exit(f"audio_eval.py: unknown method(s) {sorted(unknown)}")
    if "aubionotes" in methods and shutil.which("aubionotes") is None:
        sys.exit("audio_eval.py: aubionotes is required (apt-get install aubio-tools)")
    with open(os.path.join(args.set, "items.csv")) as f:
        items = list(csv.DictReader(f))
    # Pooled counts: per method, per condition: (ref notes, est notes, matched on, matched on+off)
    pooled = {m: {c: [0, 0, 0, 0] for c in CONDITIONS} for m in methods}
    onset_errors = {m: [] for m in methods}
    # Reprise's matched notes: (family, after a rest?, emission latency in seconds).
    latencies = []
    seconds_of_audio = 0.0
    cpu = {m: 0.0 for m in methods}
    # Per method, per family (the item name without its number): (ref, est, matched) pooled.
    families = {m: {} for m in methods}
    for condition in CONDITIONS:
        for item in items:
            base = os.path.join(args.set, condition, item["item"])
            wav = base + ".wav"
            ref_i, ref_p = truth(base + ".csv")
            if condition == "clean":
                seconds_of_audio += librosa.get_duration(path=wav)
            for method in methods:
                started = time.perf_counter()
                if method == "Reprise":
                    est_i, est_p, emits = run_reprise(args.reprise, wav, item["range"])
                elif method == "aubionotes":
                    est_i, est_p = run_aubio(wav)
                else:
                    est_i, est_p = run_pyin(wav)
                cpu[method] += time.perf_counter() - started
                f_on, f_off, matches = score(ref_i, ref_p, est_i, est_p)
                ref_hz, est_hz = midi_to_hz(ref_p), midi_to_hz(est_p)
                matches_off = (
                    mir_eval.transcription.match_notes(
                        ref_i, ref_hz, est_i, est_hz, onset_tolerance=0.05, pitch_tolerance=50.0
                    )
                    if len(est_i)
                    else []
                )
                counts = pooled[method][condition]
                counts[0] += len(ref_i)
                counts[1] += len(est_i)
                counts[2] += len(matches)
                counts[3] += len(matches_off)
                family_name = item["item"].rsplit("_", 1)[0]
                family = families[method].setdefault(family_name, [0, 0, 0])
                family[0] += len(ref_i)
                family[1] += len(est_i)
                family[2] += len(matches)
                for r, e in matches:
                    onset_errors[method].append(abs(est_i[e][0] - ref_i[r][0]))
                    if method == "Reprise":
                        # A note after a rest (over 30 ms, or the first) or one joined legato
                        # to the previous: the tracker reports them in different ways.
                        after_rest = r == 0 or ref_i[r][0] - ref_i[r - 1][1] > 0.03
                        latencies.append((family_name, after_rest, emits[e] - ref_i[r][0]))

    def f_measure(ref, est, matched):
        if ref == 0 or est == 0 or matched == 0:
            return 0.0
        p, r = matched / est, matched / ref
        return 2 * p * r / (p + r)

    print(f"{len(items)} items x {len(CONDITIONS)} conditions, {seconds_of_audio:.0f} s of audio per condition\n")
    print("| method | note F (onset ±50 ms, pitch ±50 ct) clean / noise 20 dB / reverb / pooled | with offsets, pooled | median onset error |")
    print("|---|---|---|---|")
    for method in methods:
        per = [f_measure(*pooled[method][c][:3]) for c in CONDITIONS]
        total = [sum(pooled[method][c][k] for c in CONDITIONS) for k in range(4)]
        f_pooled = f_measure(total[0], total[1], total[2])
        f_off = f_measure(total[0], total[1], total[3])
        median_ms = 1000 * float(np.median(onset_errors[method])) if onset_errors[method] else float("nan")
        print(
            f"| {method} | {per[0]:.3f} / {per[1]:.3f} / {per[2]:.3f} / **{f_pooled:.3f}** | {f_off:.3f} | {median_ms:.1f} ms |"
        )
    if args.families:
        print("\nnote F per family, pooled over conditions:")
        for method in methods:
            row = ", ".join(f"{name} {f_measure(*c):.2f}" for name, c in sorted(families[method].items()))
            print(f"- {method}: {row}")
    if not latencies:
        return
    lat = np.array([seconds for _, _, seconds in latencies]) * 1000
    print(f"\nReprise emission latency (emit - true onset, matched notes): median {np.median(lat):.1f} ms, 90th percentile {np.percentile(lat, 90):.1f} ms")
    for name, wanted in (("after a rest", True), ("legato", False)):
        part = np.array([s for _, after_rest, s in latencies if after_rest == wanted]) * 1000
        if len(part):
            print(f"  notes {name}: {len(part)}, median {np.median(part):.1f} ms, 90th percentile {np.percentile(part, 90):.1f} ms, {np.mean(part <= 30):.0%} within 30 ms")
    if args.families:
        print("  per family (median, share reported within 30 ms):")
        for name, after_rest in sorted({(f, a) for f, a, _ in latencies}):
            part = np.array([s for f, a, s in latencies if (f, a) == (name, after_rest)]) * 1000
            kind = "after a rest" if after_rest else "legato"
            print(f"  - {name}, {kind}: {len(part)} notes, median {np.median(part):.1f} ms, {np.mean(part <= 30):.0%} within 30 ms")
    total_audio = seconds_of_audio * len(CONDITIONS)
    for method in methods:
        print(f"{method}: {cpu[method]:.1f} s wall time for {total_audio:.0f} s of audio (whole command, incl. start-up): real-time factor {cpu[method] / total_audio:.4f}")


if __name__ == "__main__":
    main()
