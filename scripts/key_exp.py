#!/usr/bin/env python3
"""Fast numpy/scipy re-implementation of examples/key_train.rs for experiments
(issue 23): the same features (a port of src/engine/key_model.rs), the same
outer 5 folds and inner 4 folds (a port of the SplitMix64 shuffle), the same
choice rule (lambda and minor offset by inner CV: keep major >= 89.7 %, then best
minor, then best exact). Full-batch L-BFGS instead of 800 Adam steps.

Candidate feature blocks and a tiny hidden layer can be switched on to see
whether they move the held-out major/minor trade-off. Only held-out outer-fold
figures are printed; every choice is made inside the training part.

Usage: python scripts/key_exp.py [--extra NAME,...] [--hidden H] [--sets A;B]
"""
import argparse
import itertools
import os
import sys

import numpy as np
from scipy.optimize import minimize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MASK = (1 << 64) - 1
SEED = 0x004B4559
LAMBDAS = [1e-5, 1e-4, 1e-3, 1e-2]
OFFSETS = [s * 0.125 for s in range(-4, 17)]
MAJOR_FLOOR = 0.897

TKP_MAJ = [0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400]
TKP_MIN = [0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330]
AS_MAJ = [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081]
AS_MIN = [0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052]
NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


class Rng:
    def __init__(self, seed):
        self.state = (seed ^ 0x5DEECE66D1CE4E5B) & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)


def folds(n, k, seed):
    order = list(range(n))
    rng = Rng(seed)
    for i in range(n - 1, 0, -1):
        j = rng.next_u64() % (i + 1)
        order[i], order[j] = order[j], order[i]
    out = [[] for _ in range(k)]
    for pos, idx in enumerate(order):
        out[pos % k].append(idx)
    return out


def parse_key(text):
    tonic, mode = text.split()
    pc = NAMES[tonic[0]] + {"": 0, "#": 1, "b": -1}[tonic[1:]]
    return (pc % 12) * 2 + (mode == "minor")


def load(path, dev):
    out = []
    for line in open(os.path.join(ROOT, path), encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = [x.strip() for x in line.split("|")]
        key = parse_key(f[1])
        start = float(f[3]) if dev else 0.0
        final = None
        if dev and len(f) == 6 and f[4] != "-":
            final = int(f[4])
        notes = []
        for tok in f[-1].split():
            p, d = tok.split(":")
            d = float(d)
            if p != "R":
                notes.append((start, d, int(p)))
            start += d
        out.append(dict(name=f[0], key=key, notes=notes, final=final,
                        metre=f[2] if dev else None))
    return out


def corr(a, b):
    a = np.asarray(a) - np.mean(a)
    b = np.asarray(b) - np.mean(b)
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else 0.0


def base_blocks(notes):
    """Port of key_features: 10 blocks of 12 (absolute pitch class) and fits[24][2]."""
    b = np.zeros((10, 12))
    longest = max(n[1] for n in notes)
    for s, d, k in notes:
        pc = k % 12
        w = min(max(d, 0.0), 2.0)
        b[0, pc] += w
        b[9, pc] = 1
        if abs(s - np.floor(s + 0.5)) <= 1e-3:
            b[1, pc] += w
    lead = [False, False]
    for i, (s, d, k) in enumerate(notes):
        if i + 1 < len(notes):
            iv = notes[i + 1][2] - k
            lead[1] = abs(iv) >= 3
            if iv == 1:
                b[7, notes[i + 1][2] % 12] += 1
        else:
            lead[1] = False
        if lead[0] or lead[1]:
            b[8, k % 12] += min(max(d, 0.0), 2.0)
        lead[0] = lead[1]
    b[2, notes[0][2] % 12] = 1
    b[3, notes[-1][2] % 12] = 1
    if len(notes) > 1:
        b[4, notes[-2][2] % 12] = 1
    for s, d, k in notes:
        if d >= longest - 1e-3:
            b[5, k % 12] += 1
    b[6, min(n[2] for n in notes) % 12] = 1
    for i in (0, 1, 5, 7, 8):
        t = b[i].sum()
        if t > 0:
            b[i] /= t
    fits = np.zeros((24, 2))
    for t in range(12):
        for m, profs in enumerate(((TKP_MAJ, AS_MAJ), (TKP_MIN, AS_MIN))):
            for f, prof in enumerate(profs):
                rot = [prof[(i - t) % 12] for i in range(12)]
                fits[t * 2 + m, f] = corr(b[0], rot)
    return b, fits


# ---- candidate extra blocks (absolute pitch class, 12 each, rotated like the rest) ----

def bar_beats(metre):
    if not metre:
        return None
    num, den = metre.split("/")
    return int(num) * 4.0 / int(den)


def on_grid(s, g):
    return abs(s / g - np.floor(s / g + 0.5)) * g <= 1e-3


def extra_blocks(notes, name, metre=None):
    """Returns an array (1, 12) of absolute-pc features."""
    pcs = [n[2] % 12 for n in notes]
    e = np.zeros((1, 12))
    bar = bar_beats(metre)
    if name.startswith("down"):  # downbeat features (need the metre; hand set: 4/4 assumed)
        bar = bar or 4.0
        down = [(s, d, k) for s, d, k in notes if on_grid(s, bar)]
        if name == "down_share":
            for s, d, k in down:
                e[0, k % 12] += min(d, 2.0)
            if e.sum() > 0:
                e /= e.sum()
        elif name == "down_first" and down:
            e[0, down[0][2] % 12] = 1
        elif name == "down_last" and down:
            e[0, down[-1][2] % 12] = 1
        elif name == "down_low" and down:
            e[0, min(k for _, _, k in down) % 12] = 1
        elif name.startswith("down_pos"):  # downbeat pitch class of the k-th bar holding notes
            k = int(name[-1])
            starts = sorted({int(np.floor(s_ / bar + 1e-6)) for s_, _, _ in notes})
            firstbar = int(np.floor(notes[0][0] / bar + 1e-6))
            target = firstbar + k if notes[0][0] - firstbar * bar > 1e-3 else firstbar + k - 1
            for s_, d, kk in down:
                if int(np.floor(s_ / bar + 1e-6)) == target:
                    e[0, kk % 12] = 1
        elif name == "down_lastnote":  # last note's pc if it starts on a downbeat
            if on_grid(notes[-1][0], bar):
                e[0, notes[-1][2] % 12] = 1
        elif name == "down_firstnote":  # first note's pc if it starts on a downbeat (no pickup)
            if on_grid(notes[0][0], bar):
                e[0, notes[0][2] % 12] = 1
        elif name == "down_long":  # downbeat notes of at least a beat, duration
            for s_, d, kk in down:
                if d >= 1 - 1e-3:
                    e[0, kk % 12] += min(d, 2.0)
            if e.sum() > 0:
                e /= e.sum()
        elif name == "down_barlow":  # lowest note of each bar, counted
            bars = {}
            for s, d, k in notes:
                b = int(np.floor(s / bar + 1e-6))
                bars[b] = min(bars.get(b, 999), k)
            for k in bars.values():
                e[0, k % 12] += 1
            e /= e.sum()
        elif name == "down_strong":  # duration share on strong beats (half bars in duple metres)
            num = int(metre.split("/")[0]) if metre else 4
            g = bar / 2 if num % 2 == 0 else (bar / 3 if num % 3 == 0 and num > 3 else bar)
            for s, d, k in notes:
                if on_grid(s, g):
                    e[0, k % 12] += min(d, 2.0)
            if e.sum() > 0:
                e /= e.sum()
        elif name == "down_lastbar":  # pitch classes of the last bar's downbeat-or-later notes, duration
            lastbar = np.floor(notes[-1][0] / bar + 1e-6)
            for s, d, k in notes:
                if np.floor(s / bar + 1e-6) == lastbar:
                    e[0, k % 12] += min(d, 2.0)
            e /= e.sum()
        return e
    if name == "fall_semi":  # pitch classes reached by a falling semitone
        for a, b in zip(notes, notes[1:]):
            if b[2] - a[2] == -1:
                e[0, b[2] % 12] += 1
    elif name == "first_beat":  # pitch class of the first note on a whole beat
        for s, d, k in notes:
            if abs(s - np.floor(s + 0.5)) <= 1e-3:
                e[0, k % 12] = 1
                break
    elif name == "last_beat":  # last note starting on a beat
        for s, d, k in reversed(notes):
            if abs(s - np.floor(s + 0.5)) <= 1e-3:
                e[0, k % 12] = 1
                break
    elif name == "low_beat":  # lowest note among notes on a beat
        cand = [k for s, d, k in notes if abs(s - np.floor(s + 0.5)) <= 1e-3]
        if cand:
            e[0, min(cand) % 12] = 1
    elif name == "high":
        e[0, max(n[2] for n in notes) % 12] = 1
    elif name == "count":  # note-count shares (no duration)
        for p in pcs:
            e[0, p] += 1
        e /= e.sum()
    elif name == "beat_count":  # shares among notes starting on beats, by count
        for s, d, k in notes:
            if abs(s - np.floor(s + 0.5)) <= 1e-3:
                e[0, k % 12] += 1
        if e.sum() > 0:
            e /= e.sum()
    elif name == "last2":  # last two notes, both flagged (e.g. if last is a passing note)
        for p in pcs[-2:]:
            e[0, p] = 1
    elif name == "first2":
        for p in pcs[:2]:
            e[0, p] = 1
    elif name == "final_long":  # last note's pc weighted by its length in beats (capped 2)
        e[0, pcs[-1]] = min(notes[-1][1], 2.0) / 2.0
    elif name == "rise_tone":
        for a, b in zip(notes, notes[1:]):
            if b[2] - a[2] == 2:
                e[0, b[2] % 12] += 1
    return e


def pair_block(notes, name):
    """(12, 12) absolute pitch-class pair features (rotated jointly)."""
    m = np.zeros((12, 12))
    if name == "bigram":  # consecutive pitch classes, shares
        for a, b in zip(notes, notes[1:]):
            m[a[2] % 12, b[2] % 12] += 1
        if m.sum() > 0:
            m /= m.sum()
    elif name == "firstlast":  # first x last
        m[notes[0][2] % 12, notes[-1][2] % 12] = 1
    elif name == "lowlast":
        m[min(n[2] for n in notes) % 12, notes[-1][2] % 12] = 1
    elif name == "beatpair":  # consecutive on-beat notes
        beats = [k for s, d, k in notes if abs(s - np.floor(s + 0.5)) <= 1e-3]
        for a, b in zip(beats, beats[1:]):
            m[a % 12, b % 12] += 1
        if m.sum() > 0:
            m /= m.sum()
    return m


PAIR_NAMES = {"bigram", "firstlast", "lowlast", "beatpair"}


def design(samples, extras):
    """X[mode] of shape (N, 12 tonics, D): rotated blocks, then fits of that mode."""
    n = len(samples)
    rows = []
    for s in samples:
        b, fits = base_blocks(s["notes"])
        parts_single = [b] + [extra_blocks(s["notes"], e, s["metre"]) for e in extras if e not in PAIR_NAMES]
        single = np.concatenate(parts_single, 0)  # (B, 12)
        pairs = [pair_block(s["notes"], e) for e in extras if e in PAIR_NAMES]
        rows.append((single, pairs, fits))
    B = rows[0][0].shape[0]
    P = len(rows[0][1])
    D = B * 12 + P * 144 + 2
    X = np.zeros((2, n, 12, D))
    idx = (np.arange(12)[:, None] + np.arange(12)[None, :]) % 12  # [t, i] -> (t+i)%12
    for r, (single, pairs, fits) in enumerate(rows):
        rot = single[:, idx]  # (B, t, i)
        X[:, r, :, : B * 12] = rot.transpose(1, 0, 2).reshape(12, B * 12)
        for p, m in enumerate(pairs):
            rp = m[idx[:, :, None], idx[:, None, :]]  # (t, i, j)
            X[:, r, :, B * 12 + p * 144: B * 12 + (p + 1) * 144] = rp.reshape(12, 144)
        for mode in range(2):
            X[mode, r, :, -2:] = fits[mode::2]
    return X


class Linear:
    def __init__(self, D):
        self.D = D

    def size(self):
        return 2 * self.D + 2

    def logits(self, theta, X):
        W = theta[: 2 * self.D].reshape(2, self.D)
        bias = theta[2 * self.D:]
        z = np.stack([X[m] @ W[m] + bias[m] for m in range(2)], -1)  # (N, 12, 2)
        return z.reshape(z.shape[0], 24)

    def loss_grad(self, theta, X, Y, sw, lam):
        W = theta[: 2 * self.D].reshape(2, self.D)
        z = self.logits(theta, X)
        z -= z.max(1, keepdims=True)
        lse = np.log(np.exp(z).sum(1, keepdims=True))
        logp = z - lse
        p = np.exp(logp)
        tot = sw.sum()
        loss = -(sw * logp[np.arange(len(Y)), Y]).sum() / tot + lam * (W * W).sum()
        G = p.copy()
        G[np.arange(len(Y)), Y] -= 1
        G *= sw[:, None] / tot
        G = G.reshape(-1, 12, 2)
        gW = np.stack([np.einsum("nt,ntd->d", G[:, :, m], X[m]) for m in range(2)]) + 2 * lam * W
        gb = G.sum((0, 1))
        return loss, np.concatenate([gW.ravel(), gb])


class Hidden:
    """Linear model plus a tiny hidden layer shared by the tonics (per mode):
    z = w.x + b + v . tanh(U x + c)."""

    def __init__(self, D, H, seed=1):
        self.D, self.H = D, H
        self.rng = np.random.default_rng(seed)

    def size(self):
        return 2 * self.D + 2 + 2 * (self.H * self.D + self.H + self.H)

    def init(self):
        th = np.zeros(self.size())
        off = 2 * self.D + 2
        th[off:] = self.rng.normal(0, 0.1, self.size() - off)
        return th

    def unpack(self, th):
        D, H = self.D, self.H
        W = th[: 2 * D].reshape(2, D)
        b = th[2 * D: 2 * D + 2]
        o = 2 * D + 2
        U = th[o: o + 2 * H * D].reshape(2, H, D)
        o += 2 * H * D
        c = th[o: o + 2 * H].reshape(2, H)
        o += 2 * H
        v = th[o: o + 2 * H].reshape(2, H)
        return W, b, U, c, v

    def logits(self, th, X):
        W, b, U, c, v = self.unpack(th)
        zs = []
        for m in range(2):
            h = np.tanh(X[m] @ U[m].T + c[m])
            zs.append(X[m] @ W[m] + b[m] + h @ v[m])
        z = np.stack(zs, -1)
        return z.reshape(z.shape[0], 24)

    def loss_grad(self, th, X, Y, sw, lam):
        W, b, U, c, v = self.unpack(th)
        hs, zs = [], []
        for m in range(2):
            h = np.tanh(X[m] @ U[m].T + c[m])
            hs.append(h)
            zs.append(X[m] @ W[m] + b[m] + h @ v[m])
        z = np.stack(zs, -1).reshape(len(Y), 24)
        z -= z.max(1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(1, keepdims=True))
        p = np.exp(logp)
        tot = sw.sum()
        reg = (W * W).sum() + (U * U).sum() + (v * v).sum()
        loss = -(sw * logp[np.arange(len(Y)), Y]).sum() / tot + lam * reg
        G = p
        G[np.arange(len(Y)), Y] -= 1
        G *= sw[:, None] / tot
        G = G.reshape(-1, 12, 2)
        gW, gb, gU, gc, gv = [], [], [], [], []
        for m in range(2):
            g = G[:, :, m]
            gW.append(np.einsum("nt,ntd->d", g, X[m]) + 2 * lam * W[m])
            gb.append(g.sum())
            gv.append(np.einsum("nt,nth->h", g, hs[m]) + 2 * lam * v[m])
            dh = g[:, :, None] * v[m][None, None, :] * (1 - hs[m] ** 2)  # (N,12,H)
            gU.append(np.einsum("nth,ntd->hd", dh, X[m]) + 2 * lam * U[m])
            gc.append(dh.sum((0, 1)))
        grad = np.concatenate([np.ravel(gW), np.array(gb), np.ravel(gU), np.ravel(gc), np.ravel(gv)])
        return loss, grad


def fit(model, X, Y, lam, sw=None, maxiter=500):
    if sw is None:
        sw = np.ones(len(Y))
    th0 = model.init() if hasattr(model, "init") else np.zeros(model.size())
    r = minimize(model.loss_grad, th0, args=(X, Y, sw, lam), jac=True, method="L-BFGS-B",
                 options=dict(maxiter=maxiter))
    return r.x


def tally(Y, z, offset):
    z = z + offset * (np.arange(24) % 2)[None, :]
    pred = z.argmax(1)
    right = pred == Y
    minor = Y % 2 == 1
    top3 = (np.argsort(-z, 1)[:, :3] == Y[:, None]).any(1)
    return dict(exact=right.mean(), major=right[~minor].mean(), minor=right[minor].mean(),
                top3=top3.mean(), n_right=right.sum(), n_minor=right[minor].sum(),
                n_major=right[~minor].sum())


def better(a, b):
    ka, kb = a["major"] >= MAJOR_FLOOR, b["major"] >= MAJOR_FLOOR
    if ka != kb:
        return ka
    if ka:
        return (a["minor"], a["exact"]) > (b["minor"], b["exact"])
    return a["exact"] > b["exact"]


AUG = dict(X=None, Y=None, owner=None, weight=1.0)


def fit_expanded(model, X, Y, tr, lam):
    """Fits on dev rows `tr` plus the augmentation rows whose tune is among them."""
    tr = np.asarray(tr)
    if AUG["X"] is None:
        return fit(model, X[:, tr], Y[tr], lam)
    keep = np.zeros(len(Y), bool)
    keep[tr] = True
    extra = np.array([i for i, o in enumerate(AUG["owner"]) if o is not None and keep[o]], int)
    Xa = AUG["X"][id(X)]
    Xt = np.concatenate([X[:, tr], Xa[:, extra]], 1)
    Yt = np.concatenate([Y[tr], AUG["Y"][extra]])
    sw = np.concatenate([np.ones(len(tr)), np.full(len(extra), AUG["weight"])])
    return fit(model, Xt, Yt, lam, sw)


def choose(make_model, Xsets, Y, train_idx, seed, lambdas, log=None, return_tally=False):
    """Inner 4-fold CV over (feature set, lambda, offset). Returns the choice."""
    inner = folds(len(train_idx), 4, seed)
    best = None
    for si, X in enumerate(Xsets):
        for lam in lambdas:
            z = np.zeros((len(train_idx), 24))
            for held in inner:
                hs = set(held)
                tr = [train_idx[i] for i in range(len(train_idx)) if i not in hs]
                model = make_model(X.shape[-1])
                th = fit_expanded(model, X, Y, tr, lam)
                ho = np.array([train_idx[i] for i in held])
                z[held] = model.logits(th, X[:, ho])
            for off in OFFSETS:
                t = tally(Y[train_idx], z, off)
                if best is None or better(t, best[0]):
                    best = (t, si, lam, off)
            if log:
                log("   inner set %d lam %g: best so far set %d lam %g off %+.3f (inner major %.3f minor %.3f exact %.3f)"
                    % (si, lam, best[1], best[2], best[3], best[0]["major"], best[0]["minor"], best[0]["exact"]))
    return best if return_tally else best[1:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="", help="';'-separated feature sets, each ','-separated extras; CV picks")
    ap.add_argument("--hidden", type=int, default=0)
    ap.add_argument("--lambdas", default=",".join(str(l) for l in LAMBDAS))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--aug", default="", help="extra training motifs (scripts/key_augment.py output)")
    ap.add_argument("--aug-weight", type=float, default=1.0)
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--explore", type=int, default=0,
                    help="only the inner CV of outer fold N's training part, per set (no outer fold read)")
    args = ap.parse_args()
    dev = load("tests/data/key_dev_set.txt", True)
    hand = load("tests/data/key_melodies.txt", False)
    Y = np.array([s["key"] for s in dev])
    Yh = np.array([s["key"] for s in hand])
    sets = [[e for e in s.split(",") if e] for s in args.sets.split(";")]
    Xsets = [design(dev, s) for s in sets]
    Xhand = [design(hand, s) for s in sets]
    lambdas = [float(x) for x in args.lambdas.split(",")]
    if args.aug:
        aug = load(args.aug, True)
        by_name = {}
        for i, s_ in enumerate(dev):
            by_name.setdefault(s_["name"], []).append(i)
        AUG["owner"] = [by_name.get(a["name"], [None])[0] for a in aug]
        AUG["Y"] = np.array([a["key"] for a in aug])
        AUG["X"] = {id(X): design(aug, s_) for X, s_ in zip(Xsets, sets)}
        AUG["weight"] = args.aug_weight
        used = sum(o is not None for o in AUG["owner"])
        print("augmentation: %d motifs, %d of them from dev-set tunes (%d minor)"
              % (len(aug), used, sum(1 for a, o in zip(aug, AUG["owner"]) if o is not None and a["key"] % 2)))
    if args.hidden:
        make_model = lambda D: Hidden(D, args.hidden)
    else:
        make_model = lambda D: Linear(D)
    log = (lambda m: print(m, flush=True)) if args.verbose else None
    print("sets:", sets, "hidden:", args.hidden, "lambdas:", lambdas, flush=True)
    outer = folds(len(dev), 5, SEED)
    if args.explore:
        fi = args.explore - 1
        hs = set(outer[fi])
        train_idx = [i for i in range(len(dev)) if i not in hs]
        for si, X in enumerate(Xsets):
            t, _, lam, off = choose(make_model, [X], Y, train_idx, SEED + 1 + fi, lambdas, return_tally=True)
            print("explore fold %d set %s: lam %g off %+.3f inner exact %.1f major %.1f minor %.1f"
                  % (fi + 1, ",".join(sets[si]) or "base", lam, off, 100 * t["exact"], 100 * t["major"],
                     100 * t["minor"]), flush=True)
        return
    z_all = np.zeros((len(dev), 24))
    for fi, held in enumerate(outer):
        hs = set(held)
        train_idx = [i for i in range(len(dev)) if i not in hs]
        si, lam, off = choose(make_model, Xsets, Y, train_idx, SEED + 1 + fi, lambdas, log)
        X = Xsets[si]
        model = make_model(X.shape[-1])
        th = fit_expanded(model, X, Y, train_idx, lam)
        z = model.logits(th, X[:, held])
        z[:, 1::2] += off
        z_all[held] = z
        t = tally(Y[held], z, 0)
        print("fold %d: set %d lam %g off %+.3f exact %.1f %% major %.1f minor %.1f"
              % (fi + 1, si, lam, off, 100 * t["exact"], 100 * t["major"], 100 * t["minor"]), flush=True)
    t = tally(Y, z_all, 0)
    print("HELD-OUT: exact %.1f %% (%d/%d) top3 %.1f %% major %.1f %% (%d) minor %.1f %% (%d/%d)"
          % (100 * t["exact"], t["n_right"], len(Y), 100 * t["top3"], 100 * t["major"], t["n_major"],
             100 * t["minor"], t["n_minor"], (Y % 2).sum()), flush=True)
    if args.sweep:
        for off in [-0.5, -0.25, 0, 0.25, 0.5, 0.75, 1.0, 1.5]:
            t = tally(Y, z_all, off)
            print("  sweep %+.2f: exact %.1f major %.1f minor %.1f" % (off, 100 * t["exact"], 100 * t["major"], 100 * t["minor"]))
    # final model on everything, then the hand set
    si, lam, off = choose(make_model, Xsets, Y, list(range(len(dev))), SEED, lambdas)
    X = Xsets[si]
    model = make_model(X.shape[-1])
    th = fit_expanded(model, X, Y, list(range(len(dev))), lam)
    zh = model.logits(th, Xhand[si])
    zh[:, 1::2] += off
    t = tally(Yh, zh, 0)
    print("final: set %d lam %g off %+.3f; HAND: exact %.1f %% top3 %.1f %% major %.1f %% minor %.1f %%"
          % (si, lam, off, 100 * t["exact"], 100 * t["top3"], 100 * t["major"], 100 * t["minor"]), flush=True)


if __name__ == "__main__":
    main()
