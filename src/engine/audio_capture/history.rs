//! The tracker's hop history: level (mean energy), spectral flux and pitch of the latest
//! [`HISTORY`] hops in a ring, and the number of hops analysed. Plain data; never allocates.

/// Hops of level, flux and pitch history kept (about 740 ms).
pub(super) const HISTORY: usize = 256;

/// The latest hops' measurements, newest last; read by how many hops back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HopHistory {
    energy: [f32; HISTORY],
    flux: [f32; HISTORY],
    /// Pitch per hop while a note sounds (NaN: no confident estimate).
    pitch: [f32; HISTORY],
    /// Hops analysed so far.
    hops: u64,
}

impl HopHistory {
    /// Before any hop.
    pub(super) const EMPTY: HopHistory = HopHistory {
        energy: [0.0; HISTORY],
        flux: [0.0; HISTORY],
        pitch: [f32::NAN; HISTORY],
        hops: 0,
    };

    /// Hops analysed so far.
    pub(super) fn hops(&self) -> u64 {
        self.hops
    }

    /// Records a new hop (its pitch unknown yet); returns its slot for
    /// [`set_pitch`](Self::set_pitch).
    pub(super) fn push(&mut self, energy: f32, flux: f32) -> usize {
        self.hops += 1;
        let index = self.index(0);
        self.energy[index] = energy;
        self.flux[index] = flux;
        self.pitch[index] = f32::NAN;
        index
    }

    /// The slot of the hop `hops_back` hops before the newest (0 = the newest).
    fn index(&self, hops_back: u64) -> usize {
        ((self.hops + HISTORY as u64 - 1 - hops_back) % HISTORY as u64) as usize
    }

    /// Mean energy of the hop `hops_back` hops back.
    pub(super) fn energy(&self, hops_back: u64) -> f32 {
        self.energy[self.index(hops_back)]
    }

    /// Spectral flux of the hop `hops_back` hops back.
    pub(super) fn flux(&self, hops_back: u64) -> f32 {
        self.flux[self.index(hops_back)]
    }

    /// Pitch estimate (MIDI key) of the hop `hops_back` hops back, NaN when unclear.
    pub(super) fn pitch(&self, hops_back: u64) -> f32 {
        self.pitch[self.index(hops_back)]
    }

    /// Sets the pitch of the hop in `slot` (from [`push`](Self::push)).
    pub(super) fn set_pitch(&mut self, slot: usize, midi: f32) {
        self.pitch[slot] = midi;
    }

    /// The strongest spectral flux among hops `from..to` back (0 = the newest hop), and the sum
    /// over them; `to` is the caller's, at most [`HISTORY`].
    pub(super) fn flux_peak(&self, from: u64, to: u64) -> FluxPeak {
        let mut peak = FluxPeak {
            hops_back: None,
            flux: 0.0,
            total: 0.0,
        };
        for back in from..to.min(HISTORY as u64) {
            let flux = self.flux(back);
            peak.total += flux;
            if flux > peak.flux {
                peak.flux = flux;
                peak.hops_back = Some(back);
            }
        }
        peak
    }

    /// Mean of hop energies `from..to` hops back (0 = the newest hop).
    pub(super) fn mean_energy(&self, from: u64, to: u64) -> f32 {
        let to = to.min(self.hops).min(HISTORY as u64);
        if to <= from {
            return 0.0;
        }
        let mut sum = 0.0;
        for back in from..to {
            sum += self.energy(back);
        }
        sum / (to - from) as f32
    }
}

/// The strongest flux peak of a stretch of hops ([`HopHistory::flux_peak`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct FluxPeak {
    /// Hops back of the strongest flux, `None` when the stretch is empty or silent.
    pub(super) hops_back: Option<u64>,
    /// That flux.
    pub(super) flux: f32,
    /// The flux summed over the stretch.
    pub(super) total: f32,
}
