//! Published key profiles (12 bins, index 0 = the tonic) and the correlation the profile-based
//! finders use.
//!
//! Cited figures:
//! - Albrecht & Shanahan (2013), "The Use of Large Corpora to Train a New Type of Key-Finding
//!   Algorithm", Music Perception 31(1).
//! - Temperley (1999/2001), Kostka–Payne corpus profile, "What's Key for Key?", Music Perception 17(1).
//! - Krumhansl & Kessler (1982) probe-tone ratings.

/// A 12-bin key profile, index 0 = tonic.
pub type Profile = [f64; 12];

/// Albrecht–Shanahan (2013) major profile.
pub const ALBRECHT_SHANAHAN_MAJOR: Profile = [
    0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081,
];
/// Albrecht–Shanahan (2013) minor profile.
pub const ALBRECHT_SHANAHAN_MINOR: Profile = [
    0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052,
];
/// Temperley's (1999) revised major profile ("What's Key for Key?"), a hand-adjusted
/// Krumhansl–Kessler profile. (Earlier versions of this file called it Kostka–Payne; it is not
/// the Kostka–Payne corpus profile, which is [`TEMPERLEY_KOSTKA_PAYNE_MAJOR`].)
pub const TEMPERLEY_MAJOR: Profile = [5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0];
/// Temperley's (1999) revised minor profile.
pub const TEMPERLEY_MINOR: Profile = [5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0];
/// Temperley–Kostka–Payne major profile: pitch-class frequencies in the Kostka–Payne harmony
/// textbook corpus (Temperley 2007, *Music and Probability*; values as listed by Humdrum's
/// `keycor` and music21).
pub const TEMPERLEY_KOSTKA_PAYNE_MAJOR: Profile = [
    0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400,
];
/// Temperley–Kostka–Payne minor profile.
pub const TEMPERLEY_KOSTKA_PAYNE_MINOR: Profile = [
    0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330,
];
/// Krumhansl–Kessler (1982) major probe-tone profile.
pub const KRUMHANSL_KESSLER_MAJOR: Profile = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
/// Krumhansl–Kessler (1982) minor probe-tone profile.
pub const KRUMHANSL_KESSLER_MINOR: Profile = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];

/// Pearson correlation of two 12-bin profiles (0 when either is flat).
pub fn correlation(a: &[f64; 12], b: &[f64; 12]) -> f64 {
    let mean_a = a.iter().sum::<f64>() / 12.0;
    let mean_b = b.iter().sum::<f64>() / 12.0;
    let (mut num, mut den_a, mut den_b) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        let (da, db) = (a[i] - mean_a, b[i] - mean_b);
        num += da * db;
        den_a += da * da;
        den_b += db * db;
    }
    let den = (den_a * den_b).sqrt();
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}
