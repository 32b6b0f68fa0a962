//! A sounding note's pitch histogram: its pitch estimates in quarter-semitone bins, read as the
//! mean of the estimates near their median (an octave slip does not pull it; a vibrato's
//! centre). Plain data (1 KB), copied on the stack to leave estimates out; never allocates.

/// Bins per semitone of the note's pitch histogram.
pub(super) const BINS_PER_SEMITONE: usize = 4;
pub(super) const HISTOGRAM_BINS: usize = 128 * BINS_PER_SEMITONE;

/// Pitch estimates (MIDI key, fractional) counted in [`HISTOGRAM_BINS`] bins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PitchHistogram {
    bins: [u16; HISTOGRAM_BINS],
}

impl PitchHistogram {
    /// No estimate.
    pub(super) const EMPTY: PitchHistogram = PitchHistogram {
        bins: [0; HISTOGRAM_BINS],
    };

    /// Counts an estimate (NaN and out-of-range estimates are not counted).
    pub(super) fn add(&mut self, midi: f32) {
        if let Some(bin) = histogram_bin(midi) {
            self.bins[bin] = self.bins[bin].saturating_add(1);
        }
    }

    /// Takes an estimate counted before out again.
    pub(super) fn remove(&mut self, midi: f32) {
        if let Some(bin) = histogram_bin(midi) {
            self.bins[bin] = self.bins[bin].saturating_sub(1);
        }
    }

    /// The estimates within 1.5 semitones of their median, or `None` when there are none.
    pub(super) fn trimmed(&self) -> Option<TrimmedPitch> {
        trimmed_pitch(&self.bins)
    }
}

/// The histogram bin of a pitch estimate (none for NaN or out of range).
fn histogram_bin(midi: f32) -> Option<usize> {
    let bin = (midi * BINS_PER_SEMITONE as f32).round();
    (midi.is_finite() && (0.0..HISTOGRAM_BINS as f32).contains(&bin)).then_some(bin as usize)
}

/// The estimates of a pitch histogram within 1.5 semitones of their median: their mean (MIDI
/// key), standard deviation (semitones) and count. An octave slip does not pull the mean; a
/// vibrato's whole swing is inside the reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct TrimmedPitch {
    pub(super) mean: f32,
    pub(super) spread: f32,
    pub(super) count: u32,
}

fn trimmed_pitch(histogram: &[u16; HISTOGRAM_BINS]) -> Option<TrimmedPitch> {
    let total: u32 = histogram.iter().map(|&c| u32::from(c)).sum();
    if total == 0 {
        return None;
    }
    let mut seen = 0u32;
    let mut median_bin = 0usize;
    for (bin, &count) in histogram.iter().enumerate() {
        seen += u32::from(count);
        if 2 * seen >= total {
            median_bin = bin;
            break;
        }
    }
    let reach = 3 * BINS_PER_SEMITONE / 2;
    let (from, to) = (
        median_bin.saturating_sub(reach),
        (median_bin + reach).min(HISTOGRAM_BINS - 1),
    );
    let (mut sum, mut squares, mut count) = (0.0f32, 0.0f32, 0u32);
    for (bin, &c) in histogram.iter().enumerate().take(to + 1).skip(from) {
        let midi = bin as f32 / BINS_PER_SEMITONE as f32;
        sum += f32::from(c) * midi;
        squares += f32::from(c) * midi * midi;
        count += u32::from(c);
    }
    if count == 0 {
        return None;
    }
    let mean = sum / count as f32;
    Some(TrimmedPitch {
        mean,
        spread: (squares / count as f32 - mean * mean).max(0.0).sqrt(),
        count,
    })
}
