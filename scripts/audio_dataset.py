#!/usr/bin/env python3
"""Build the audio-capture evaluation set (issue 13): monophonic motifs with known notes.

Two kinds of material, each in three conditions (clean, pink noise at 20 dB SNR, room reverb):
- motifs rendered with FluidSynth and Debian's fluid-soundfont-gm: piano, flute, clarinet,
  violin, cello, trumpet, choir "aahs" and a synth lead;
- synthetic signals generated here: harmonic tones with +-100 cent vibrato at 4-7 Hz, glides
  between notes, fast repeated notes, and lines in the low register down to E2.

Writes OUT/<condition>/<name>.wav, OUT/<condition>/<name>.csv (onset_s,offset_s,midi_pitch: the
truth) and OUT/items.csv (name, range preset for the tracker). Nothing here is committed: run
it, then scripts/audio_eval.py. Needs: fluidsynth, fluid-soundfont-gm, sox (Debian) and numpy,
mido-free (MIDI files are written by hand below).

Usage: python3 scripts/audio_dataset.py [--out target/audio-eval] [--seed 13]
"""
import argparse
import csv
import os
import random
import shutil
import struct
import subprocess
import sys
import wave

import numpy as np

RATE = 44100
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
# (name, General MIDI program, lowest key, highest key, tracker range preset)
INSTRUMENTS = [
    ("piano", 0, 55, 84, "voice"),
    ("flute", 73, 72, 93, "high"),
    ("clarinet", 71, 55, 82, "voice"),
    ("violin", 40, 62, 91, "high"),
    ("cello", 42, 40, 67, "low"),
    ("trumpet", 56, 58, 82, "high"),
    ("choir", 52, 55, 76, "voice"),
    ("synth_lead", 80, 57, 81, "voice"),
]
MOTIFS_PER_INSTRUMENT = 5
SYNTHETIC_PER_KIND = 5


def motif(rng, low, high):
    """A motif as [(onset_s, offset_s, key)]: 6-12 notes, stepwise with some leaps, at a tempo
    of 90-130 BPM, notes of 1/4 to 1 beat with small gaps (sometimes none)."""
    tempo = rng.uniform(90, 130)
    beat = 60.0 / tempo
    key = rng.randint(low + 4, high - 4)
    t = 0.3
    notes = []
    previous = None
    for _ in range(rng.randint(6, 12)):
        step = rng.choice([-2, -1, 1, 2, 2, -2, 3, -3, 4, -5, 5, 7])
        key = min(high, max(low, key + step))
        if key == previous:
            key = min(high, key + 2)
        length = beat * rng.choice([0.5, 0.5, 0.75, 1.0, 1.0, 1.5])
        gap = beat * rng.choice([0.0, 0.05, 0.1, 0.25])
        notes.append((t, t + length - gap, key))
        t += length
        previous = key
    return notes


def write_midi(path, notes, program):
    """A type-0 MIDI file (480 ticks per beat at 120 BPM: 1 tick = 1/960 s)."""
    events = []
    for onset, offset, key in notes:
        events.append((int(round(onset * 960)), 0x90, key, 96))
        events.append((int(round(offset * 960)), 0x80, key, 0))
    events.sort(key=lambda e: (e[0], e[1] == 0x90))
    data = bytearray([0x00, 0xC0, program])
    now = 0

    def vlq(value):
        out = [value & 0x7F]
        value >>= 7
        while value:
            out.insert(0, (value & 0x7F) | 0x80)
            value >>= 7
        return bytes(out)

    for tick, status, key, velocity in events:
        data += vlq(tick - now) + bytes([status, key, velocity])
        now = tick
    data += b"\x00\xff\x2f\x00"
    tempo = b"\x00\xff\x51\x03\x07\xa1\x20"  # 500000 us per beat
    track = tempo + bytes(data)
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480))
        f.write(b"MTrk" + struct.pack(">I", len(track)) + track)


def render_fluidsynth(mid, wav):
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.8", "-r", str(RATE), "-F", wav, SOUNDFONT, mid],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def read_wav(path):
    with wave.open(path) as w:
        frames = w.readframes(w.getnframes())
        channels = w.getnchannels()
        data = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data


def write_wav(path, samples):
    samples = np.clip(samples, -1.0, 1.0)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).astype("<i2").tobytes())


def harmonic(freq_hz, length, amplitude=0.3):
    """Phase-continuous harmonic tone from a per-sample frequency array."""
    phase = np.cumsum(2 * np.pi * freq_hz / RATE)
    wave_ = sum(np.sin(h * phase) / h for h in range(1, 6)) / 1.5
    ramp = np.minimum(1.0, np.minimum(np.arange(length), np.arange(length)[::-1]) / (0.01 * RATE))
    return amplitude * ramp * wave_


def hz(key):
    return 440.0 * 2 ** ((np.asarray(key, dtype=float) - 69) / 12)


def synthetic(kind, rng):
    """(samples, notes) of one synthetic item."""
    total = 0.3
    notes = []
    pieces = []
    if kind == "vibrato":
        for _ in range(rng.randint(4, 6)):
            key = rng.randint(55, 79)
            length = rng.uniform(0.4, 0.9)
            n = int(length * RATE)
            t = np.arange(n) / RATE
            rate_hz = rng.uniform(4, 7)
            cents = 100 * np.sin(2 * np.pi * rate_hz * t + rng.uniform(0, 6.28))
            pieces.append((total, harmonic(hz(key) * 2 ** (cents / 1200), n)))
            notes.append((total, total + length, key))
            total += length + rng.uniform(0.05, 0.2)
    elif kind == "glide":
        key = rng.randint(57, 72)
        n_notes = rng.randint(4, 6)
        start = total
        freqs = []
        for i in range(n_notes):
            length = rng.uniform(0.35, 0.6)
            nxt = key + rng.choice([-5, -3, -2, 2, 3, 4, 5])
            n = int(length * RATE)
            glide = int(0.08 * RATE)
            f = np.full(n, hz(key))
            if i < n_notes - 1:
                f[-glide:] = hz(np.linspace(key, nxt, glide))
            freqs.append(f)
            # Truth: the note until the glide's midpoint.
            end = total + (length - (0.04 if i < n_notes - 1 else 0.0))
            notes.append((total, end, key))
            total = end + (0.04 if i < n_notes - 1 else 0.0)
            key = nxt
        f = np.concatenate(freqs)
        pieces.append((start, harmonic(f, len(f))))
        # Shift later notes' onsets to the glide midpoints (already so) and keep them contiguous.
        notes = [(on, off, k) for on, off, k in notes]
    elif kind == "repeated":
        key = rng.randint(57, 76)
        for _ in range(rng.randint(6, 10)):
            length = rng.uniform(0.1, 0.16)
            n = int(length * RATE)
            t = np.arange(n) / RATE
            env = np.exp(-t / 0.08)
            pieces.append((total, harmonic(np.full(n, hz(key)), n) * env))
            notes.append((total, total + length, key))
            total += length + rng.uniform(0.0, 0.03)
    elif kind == "low":
        for _ in range(rng.randint(5, 8)):
            key = rng.randint(40, 55)
            length = rng.uniform(0.3, 0.7)
            n = int(length * RATE)
            pieces.append((total, harmonic(np.full(n, hz(key)), n, 0.4)))
            notes.append((total, total + length, key))
            total += length + rng.uniform(0.03, 0.15)
    out = np.zeros(int((total + 0.5) * RATE))
    for at, piece in pieces:
        i = int(at * RATE)
        out[i : i + len(piece)] += piece[: len(out) - i]
    return out, notes


def pink_noise(n, rng_np):
    """Pink noise by the Voss-McCartney-like filtering of white noise (-3 dB/octave)."""
    white = rng_np.standard_normal(n)
    spectrum = np.fft.rfft(white)
    f = np.arange(len(spectrum))
    f[0] = 1
    spectrum /= np.sqrt(f)
    return np.fft.irfft(spectrum, n)


def add_noise(samples, snr_db, rng_np):
    active = samples[np.abs(samples) > 1e-4]
    signal_rms = np.sqrt(np.mean(active**2)) if len(active) else 1e-3
    noise = pink_noise(len(samples), rng_np)
    noise *= signal_rms / np.sqrt(np.mean(noise**2)) / 10 ** (snr_db / 20)
    return samples + noise


def reverb(src, dst):
    subprocess.run(["sox", src, dst, "reverb", "50", "50", "80", "100", "10", "0"], check=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="target/audio-eval")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    for tool in ("fluidsynth", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"audio_dataset.py: {tool} is required (apt-get install fluidsynth fluid-soundfont-gm sox)")
    if not os.path.exists(SOUNDFONT):
        sys.exit(f"audio_dataset.py: {SOUNDFONT} is missing (apt-get install fluid-soundfont-gm)")
    rng = random.Random(args.seed)
    rng_np = np.random.default_rng(args.seed)
    items = []
    clean = os.path.join(args.out, "clean")
    os.makedirs(clean, exist_ok=True)
    for name, program, low, high, preset in INSTRUMENTS:
        for i in range(MOTIFS_PER_INSTRUMENT):
            item = f"{name}_{i}"
            notes = motif(rng, low, high)
            mid = os.path.join(clean, item + ".mid")
            write_midi(mid, notes, program)
            render_fluidsynth(mid, os.path.join(clean, item + ".wav"))
            os.remove(mid)
            # FluidSynth writes stereo 16-bit; keep a mono copy for the noise/reverb steps.
            write_wav(os.path.join(clean, item + ".wav"), read_wav(os.path.join(clean, item + ".wav")))
            items.append((item, preset, notes))
    for kind, preset in (("vibrato", "voice"), ("glide", "voice"), ("repeated", "voice"), ("low", "low")):
        for i in range(SYNTHETIC_PER_KIND):
            item = f"synth_{kind}_{i}"
            samples, notes = synthetic(kind, rng)
            write_wav(os.path.join(clean, item + ".wav"), samples)
            items.append((item, preset, notes))
    for condition in ("noise20", "reverb"):
        os.makedirs(os.path.join(args.out, condition), exist_ok=True)
    for item, preset, notes in items:
        src = os.path.join(clean, item + ".wav")
        write_wav(os.path.join(args.out, "noise20", item + ".wav"), add_noise(read_wav(src), 20.0, rng_np))
        reverb(src, os.path.join(args.out, "reverb", item + ".wav"))
        for condition in ("clean", "noise20", "reverb"):
            with open(os.path.join(args.out, condition, item + ".csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["onset_s", "offset_s", "midi_pitch"])
                for onset, offset, key in notes:
                    w.writerow([f"{onset:.6f}", f"{offset:.6f}", key])
    with open(os.path.join(args.out, "items.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["item", "range"])
        for item, preset, _ in items:
            w.writerow([item, preset])
    print(f"{len(items)} items x 3 conditions in {args.out}")


if __name__ == "__main__":
    main()
