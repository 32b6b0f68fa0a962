#!/usr/bin/env python3
"""Build tests/data/key_dev_set.txt, a key-finding set of opening motifs.

The motifs come from music21's ABC collections oneills1850 and airdsAirs (the
output is committed; CI never runs this). essenFolksong, bach and ryansMammoth
are reserved for independent evaluation and deliberately never read.

Usage: python3 scripts/key_dataset.py [--out tests/data/key_dev_set.txt]
"""
import argparse
import collections
import os
import re
import sys

try:
    import music21
except ImportError:
    sys.exit("key_dataset.py: music21 is required (pip install music21)")

COLLECTIONS = ("oneills1850", "airdsAirs")
EPS = 1e-6

HEADER = """\
# Key-finding development set: opening motifs of public-domain folk tunes
# (O'Neill's Music of Ireland, 1903; Aird's Selection of Scotch, English, Irish
# and Foreign Airs, 1778-1803), from the ABC collections oneills1850 and
# airdsAirs bundled with music21 {version}. Made by scripts/key_dataset.py.
# Key = the tune's K: field (plain major/minor only; modal tunes, K:none and key
#   changes skipped). Labels are as transcribed, so some tunes written with a
#   major K: are really in the relative minor or a mode: expect label noise.
# Cut: first part, top note of chords, no grace notes, equal-pitch ties merged;
#   from the first note (pickup kept) to the end of the 4th full bar, or of the
#   2nd if that gives over 16 notes; capped at 16 notes, at least 4. A bar
#   ending in a repeat/double bar counts as complete. Repeats not expanded.
#   Duplicate key+notes motifs dropped.
# Format: name | tonic mode | num/den | first_onset_beats | final | notes
#   name = collection/file/X-number title; tonic as in K: (b = flat, # = sharp)
#   num/den = M: field (C = 4/4, C| = 2/2); first_onset_beats = position of the
#   first note in its bar (0 = no pickup); final = pitch class (0 = C ... 11 =
#   B) of the whole tune's last written note (first part, top note of a chord,
#   no grace notes; repeats and D.C. not followed; - = none), a check on the
#   label, as folk tunes nearly always end on their tonic; notes = PITCH:DURATION
#   tokens, MIDI pitch (60 = middle C), duration in quarter-note beats;
#   R:DURATION = rest.
#   (Files before issue 23's label check have no final field.)
"""


def fmt(x):
    """Format a beat value: 4 decimals, trailing zeros dropped."""
    return ("%.4f" % round(float(x), 4)).rstrip("0").rstrip(".")


def field(lines, letter):
    """First value of header field `letter:` with any % comment removed."""
    values = (l[2:].split("%")[0].strip() for l in lines if l.startswith(letter + ":"))
    return next(values, None)


def parse_key(value):
    """Return (tonic, 'major'|'minor') from a K: value, or (None, reason)."""
    m = re.match(r"^([A-G])([#b]?)(.*)$", value or "")
    if not m:
        return None, "key missing/none"
    words = [w for w in m.group(3).split() if "=" not in w]
    if len(words) > 1:
        return None, "key unusual"
    word = words[0].lower() if words else ""
    if word == "" or word[:3] in ("maj", "ion"):
        mode = "major"
    elif word == "m" or word[:3] in ("min", "aeo"):
        mode = "minor"
    elif word[:3] in ("dor", "mix", "lyd", "phr", "loc"):
        return None, "key modal"
    else:
        return None, "key unusual"
    return m.group(1) + m.group(2), mode


def parse_metre(value):
    """Return (label, bar length in quarter notes) from an M: value, or None."""
    value = {"C": "4/4", "C|": "2/2"}.get(value, value or "").replace(" ", "")
    m = re.match(r"^(\d+)/(\d+)$", value)
    if not m or int(m.group(1)) == 0:
        return None
    num, den = int(m.group(1)), int(m.group(2))
    return "%d/%d" % (num, den), num * 4.0 / den


def clean_music_line(line):
    """Simplify an ABC music line so music21 keeps broken rhythms (`d>c`).

    music21 10.5 drops a note after the text `">"` or decorated with `H`
    (fermata) and plays `d>(cB)`, `d>-c`, `d>.c`, `d>{e}c` as even notes, so
    remove what we do not use anyway: quoted text, `H`, grace groups, slurs
    (not tuplets `(3`), and ties/staccato dots touching a `>`/`<` mark.
    Field and comment lines are left alone.
    """
    if re.match(r"^([A-Za-z]:|%)", line):
        return line
    line = re.sub(r'"[^"]*"', "", line).replace("H", "")
    line = re.sub(r"\{[^}]*\}", "", line)
    line = re.sub(r"\((?!\d)|\)", "", line)
    return re.sub(r"([<>]+)[-.]+|-([<>]+)", lambda m: m.group(1) or m.group(2), line)


def check_header(tune):
    """Inspect a tune's ABC text; return (info dict, None) or (None, reason)."""
    lines = tune.splitlines()
    k_idx = next((i for i, l in enumerate(lines) if l.startswith("K:")), None)
    if k_idx is None:
        return None, "key missing/none"
    head, body = lines[:k_idx + 1], lines[k_idx + 1:]
    tonic, mode = parse_key(field(head, "K"))
    if tonic is None:
        return None, mode
    metre = parse_metre(field(head, "M"))
    if metre is None:
        return None, "metre missing/unusable"
    code = [l.split("%")[0] for l in body]
    if any(l.startswith("K:") or "[K:" in l for l in code):
        return None, "key change in body"
    if any(l.startswith("M:") or "[M:" in l for l in code):
        return None, "metre change in body"
    title = (field(head, "T") or "untitled").replace("|", "")
    abc = "\n".join(["%abc-2.1"] + head + [clean_music_line(l) for l in body])
    return dict(tonic=tonic, mode=mode, metre=metre[0], bar=metre[1], abc=abc,
                title=" ".join(title.split()), number=field(head, "X")), None


def measure_events(part):
    """[(measure, [[onset, midi, dur, tied_on], ...]), ...] with absolute
    quarter-note onsets; grace notes dropped, chords reduced to the top note."""
    measures = []
    for m in part.getElementsByClass(music21.stream.Measure):
        events = []
        for n in m.recurse().notes:
            dur = float(n.quarterLength)
            if n.duration.isGrace or dur <= 0:
                continue
            pitch = max(n.pitches, key=lambda p: p.ps)
            onset = float(m.offset + n.getOffsetInHierarchy(m))
            tie = n.tie is not None and n.tie.type in ("start", "continue")
            events.append([onset, pitch.midi, dur, tie])
        events.sort(key=lambda e: (e[0], -e[1]))
        measures.append((m, events))
    return measures


def merge_ties(events):
    """Merge tied notes of equal pitch (music21's ABC reader also ties
    different pitches, e.g. O'Neill's `f-g`, which are really slurs)."""
    out = []
    for ev in events:
        prev = out[-1] if out else None
        if (prev and prev[3] and prev[1] == ev[1]
                and abs(prev[0] + prev[2] - ev[0]) < EPS):
            prev[2] += ev[2]
            prev[3] = ev[3]
        else:
            out.append(list(ev))
    return out


def cut_motif(part, bar_len):
    """Return (first_onset_in_bar, notes) for the opening motif, or a reason
    string. `notes` is a list of (onset, midi, dur) triples."""
    measures = measure_events(part)
    if not measures:
        return "no measures"
    first = next((i for i, (_, ev) in enumerate(measures) if ev), None)
    if first is None:
        return "no notes"
    m0, ev0 = measures[first]
    m_dur = float(m0.duration.quarterLength)
    lead = bar_len - m_dur if first == 0 and m_dur < bar_len - EPS else 0.0
    onset_in_bar = ev0[0][0] - float(m0.offset) + lead
    start = first + 1 if onset_in_bar > EPS else first

    def window(n_bars):
        """End time of the `n_bars`-th full bar counted from measure `start`."""
        acc, bars, end = 0.0, 0, None
        for m, _ in measures[start:]:
            acc += float(m.duration.quarterLength)
            end = float(m.offset + m.duration.quarterLength)
            if acc >= bar_len - EPS or (m.rightBarline is not None and acc > 0):
                bars, acc = bars + 1, 0.0
                if bars == n_bars:
                    break
        return end if end is not None else float("inf")

    notes = merge_ties([e for _, ev in measures[first:] for e in ev])
    picked = [n for n in notes if n[0] < window(4) - EPS]
    if len(picked) > 16:
        picked = [n for n in notes if n[0] < window(2) - EPS]
    picked = picked[:16]
    if len(picked) < 4:
        return "fewer than 4 notes"
    if any(b[0] < a[0] + a[2] - EPS for a, b in zip(picked, picked[1:])):
        return "overlapping notes"
    return onset_in_bar, [(n[0], n[1], n[2]) for n in picked]


def tonic_pitch_class(tonic):
    """Pitch class (0 = C) of a K: tonic such as `F#` or `Bb`."""
    natural = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}[tonic[0]]
    return (natural + {"": 0, "#": 1, "b": -1}[tonic[1:]]) % 12


def final_pitch_class(part):
    """Pitch class (0 = C) of the last sounding note of the whole part, top note
    of a chord, grace notes ignored; None if the part has no such note."""
    last = None
    for n in part.recurse().notes:
        if n.duration.isGrace or float(n.quarterLength) <= 0:
            continue
        onset = float(n.getOffsetInHierarchy(part))
        top = max(p.ps for p in n.pitches)
        if last is None or (onset, top) > last:
            last = (onset, top)
    return None if last is None else int(round(last[1])) % 12


def tokens(notes):
    """Render notes as PITCH:DUR tokens with R:DUR for gaps between notes."""
    out, prev_end = [], None
    for onset, midi, dur in notes:
        if prev_end is not None and onset - prev_end > EPS:
            out.append("R:" + fmt(onset - prev_end))
        out.append("%d:%s" % (midi, fmt(dur)))
        prev_end = onset + dur
    return " ".join(out)


def process_tune(collection, stem, tune, stats):
    """Turn one ABC tune into an output record dict, or None (stats updated)."""
    info, reason = check_header(tune)
    if info is None:
        stats["skip: " + reason] += 1
        return None
    try:
        score = music21.converter.parse(info["abc"], format="abc")
        part = score.parts[0] if isinstance(score, music21.stream.Score) else score
        result = cut_motif(part, info["bar"])
        final = final_pitch_class(part)
    except Exception:  # music21 raises many kinds of errors on odd ABC
        stats["skip: parse error"] += 1
        return None
    stats["parsed"] += 1
    if isinstance(result, str):
        stats["skip: " + result] += 1
        return None
    onset_in_bar, notes = result
    info.update(collection=collection, count=len(notes), notes=tokens(notes),
                onset=fmt(onset_in_bar), final="-" if final is None else str(final),
                name="%s/%s/%s %s" % (collection, stem, info["number"], info["title"]))
    return info


def main():
    """Read the corpus, cut motifs, write the data file and print a summary."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", default=os.path.join(root, "tests", "data", "key_dev_set.txt"))
    args = ap.parse_args()
    corpus = os.path.join(os.path.dirname(music21.__file__), "corpus")
    stats = collections.Counter()
    records = []
    for collection in COLLECTIONS:
        folder = os.path.join(corpus, collection)
        for fname in sorted(f for f in os.listdir(folder) if f.endswith(".abc")):
            with open(os.path.join(folder, fname), encoding="utf-8", errors="replace") as fh:
                chunks = re.split(r"(?m)^(?=X:)", fh.read())
            for tune in (c for c in chunks if c.startswith("X:")):
                stats["tunes seen"] += 1
                rec = process_tune(collection, fname[:-4], tune, stats)
                if rec:
                    records.append(rec)
    records.sort(key=lambda r: r["name"])
    seen, kept = set(), []
    for r in records:  # keep the first (by name) of identical key+notes motifs
        key = (r["tonic"], r["mode"], r["notes"])
        stats["skip: duplicate motif"] += key in seen
        kept += [] if key in seen else [r]
        seen.add(key)
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(HEADER.format(version=music21.__version__) + "\n")
        for r in kept:
            fh.write("%s | %s %s | %s | %s | %s | %s\n" % (
                r["name"], r["tonic"], r["mode"], r["metre"], r["onset"], r["final"],
                r["notes"]))
    print("tunes seen: %d, parsed: %d" % (stats["tunes seen"], stats["parsed"]))
    for k in sorted(k for k in stats if k.startswith("skip")):
        print("  %s: %d" % (k, stats[k]))
    print("motifs written: %d -> %s" % (len(kept), os.path.relpath(args.out)))
    for label, attr in (("mode", "mode"), ("collection", "collection"), ("notes", "count")):
        counts = collections.Counter(r[attr] for r in kept)
        print("by %s: %s" % (label, ", ".join("%s=%d" % kv for kv in sorted(counts.items()))))
    for mode in ("major", "minor"):
        in_mode = [r for r in kept if r["mode"] == mode]
        ends = sum(r["final"] == str(tonic_pitch_class(r["tonic"])) for r in in_mode)
        print("%s: %d of %d tunes end on the K: tonic" % (mode, ends, len(in_mode)))


if __name__ == "__main__":
    main()
