#!/usr/bin/env python3
"""Extra training motifs for the key model experiments (issue 23): later phrases
of the same tunes as tests/data/key_dev_set.txt (oneills1850, airdsAirs only;
essenFolksong, bach and ryansMammoth are never read). For each tune, windows
that start at a bar line at full bars 4, 8, 12, ... after the opening (4 bars,
or 2 if that gives over 16 notes, capped at 16 notes, at least 4), labelled
with the tune's K:. Each line carries the tune's name as in the dev set, so the
experiment can use a tune's extra motifs only in training parts that hold the
tune's opening (never when the opening is held out).

Usage: python scripts/key_augment.py --out /tmp/key_aug.txt [--max-windows 3] [--first-only]
"""
import argparse
import collections
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import key_dataset as kd  # noqa: E402
import music21  # noqa: E402

EPS = kd.EPS


def windows(part, bar_len, max_windows):
    measures = kd.measure_events(part)
    first = next((i for i, (_, ev) in enumerate(measures) if ev), None)
    if first is None:
        return []
    m0, ev0 = measures[first]
    m_dur = float(m0.duration.quarterLength)
    lead = bar_len - m_dur if first == 0 and m_dur < bar_len - EPS else 0.0
    onset_in_bar = ev0[0][0] - float(m0.offset) + lead
    start = first + 1 if onset_in_bar > EPS else first
    # bar starts (offsets) of complete bars from `start`
    bar_starts, acc, cur = [], 0.0, None
    for m, _ in measures[start:]:
        if cur is None:
            cur = float(m.offset)
        acc += float(m.duration.quarterLength)
        if acc >= bar_len - EPS or (m.rightBarline is not None and acc > 0):
            bar_starts.append(cur)
            acc, cur = 0.0, None
    bar_starts.append(float("inf"))
    notes = kd.merge_ties([e for _, ev in measures[first:] for e in ev])
    out = []
    for w in range(1, max_windows + 1):
        b = 4 * w
        if b + 2 >= len(bar_starts):
            break
        t0 = bar_starts[b]
        t4 = bar_starts[min(b + 4, len(bar_starts) - 1)]
        t2 = bar_starts[b + 2]
        picked = [n for n in notes if t0 - EPS <= n[0] < t4 - EPS]
        if len(picked) > 16:
            picked = [n for n in notes if t0 - EPS <= n[0] < t2 - EPS]
        picked = picked[:16]
        if len(picked) < 4:
            continue
        if any(bb[0] < a[0] + a[2] - EPS for a, bb in zip(picked, picked[1:])):
            continue
        onset = picked[0][0] - t0
        out.append((onset, [(n[0], n[1], n[2]) for n in picked]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-windows", type=int, default=3)
    ap.add_argument("--first-only", action="store_true",
                    help="keep only each tune's first usable window (usually bars 5-8)")
    args = ap.parse_args()
    corpus = os.path.join(os.path.dirname(music21.__file__), "corpus")
    stats = collections.Counter()
    lines = []
    for collection in kd.COLLECTIONS:
        folder = os.path.join(corpus, collection)
        for fname in sorted(f for f in os.listdir(folder) if f.endswith(".abc")):
            with open(os.path.join(folder, fname), encoding="utf-8", errors="replace") as fh:
                chunks = re.split(r"(?m)^(?=X:)", fh.read())
            for tune in (c for c in chunks if c.startswith("X:")):
                info, reason = kd.check_header(tune)
                if info is None:
                    continue
                try:
                    score = music21.converter.parse(info["abc"], format="abc")
                    part = score.parts[0] if isinstance(score, music21.stream.Score) else score
                    ws = windows(part, info["bar"], args.max_windows)
                    if args.first_only:
                        ws = ws[:1]
                except Exception:
                    stats["parse error"] += 1
                    continue
                name = "%s/%s/%s %s" % (collection, fname[:-4], info["number"], info["title"])
                for i, (onset, notes) in enumerate(ws):
                    stats[info["mode"]] += 1
                    lines.append("%s | %s %s | %s | %s | - | %s\n" % (
                        name, info["tonic"], info["mode"], info["metre"], kd.fmt(onset), kd.tokens(notes)))
    with open(args.out, "w") as fh:
        fh.writelines(lines)
    print(dict(stats))


if __name__ == "__main__":
    main()
