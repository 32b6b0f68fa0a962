//! How the commands word counts, metres, key verdicts and the file's tempo and metre changes:
//! "1 note", "4 bars of 3/4", "the tempo changes at 3:1 (100 → 80 BPM)".

use reprise::engine::key::KeyEstimate;
use reprise::engine::motif::TimeSignature;
use reprise::engine::time_map::TimeMap;

use crate::args::tidy;

/// `count` and the noun, singular for exactly one: "1 note", "2 notes", "0 notes".
pub fn count(count: usize, singular: &str, plural: &str) -> String {
    format!("{count} {}", if count == 1 { singular } else { plural })
}

/// A number of bars (possibly fractional) of a metre: "1 bar of 3/4", "4 bars of 3/4",
/// "2.5 bars of 6/8".
pub fn bars_of(bars: f64, metre: TimeSignature) -> String {
    let bars = tidy(bars, 3);
    let noun = if bars == 1.0 { "bar" } else { "bars" };
    format!("{bars} {noun} of {}", metre_text(metre))
}

/// The key finder's verdict with its certainty: "D minor (clear)", "ambiguous between F major,
/// A major and D minor" (never a bare key name, which would read as certain).
pub fn key_verdict(estimate: &KeyEstimate) -> String {
    estimate.describe(|k| k.to_string())
}

/// A metre as written: "6/8".
pub fn metre_text(metre: TimeSignature) -> String {
    format!("{}/{}", metre.numerator, metre.denominator)
}

/// The written beat of a metre in words: "quarter notes" in 3/4, "eighth notes" in 6/8.
pub fn beat_unit(metre: TimeSignature) -> &'static str {
    match metre.denominator {
        1 => "whole notes",
        2 => "half notes",
        4 => "quarter notes",
        8 => "eighth notes",
        16 => "sixteenth notes",
        32 => "32nd notes",
        _ => "64th notes",
    }
}

/// A length in quarter-note beats counted in `metre`'s written beats (×2 in 6/8).
pub fn written_beats(quarter_beats: f64, metre: TimeSignature) -> f64 {
    quarter_beats * f64::from(metre.denominator) / 4.0
}

/// The tempo and metre changes of `map` (seen from the motif's beat 0) strictly inside
/// `0..end_beats`, one line each, at their bar:beat: "the metre changes at 3:1 (4/4 → 3/4)",
/// "the tempo changes at 3:1 (100 → 80 BPM)". Empty when the motif spans no change.
pub fn changes_spanned(map: &TimeMap, end_beats: f64) -> Vec<String> {
    changes_between(map, 0.0, end_beats)
}

/// [`changes_spanned`] for the part `start_beats..end_beats` of a timeline.
pub fn changes_between(map: &TimeMap, start_beats: f64, end_beats: f64) -> Vec<String> {
    let mut lines: Vec<String> = map
        .metre_changes_within(start_beats, end_beats)
        .iter()
        .map(|(change, before)| {
            format!(
                "the metre changes at {} ({} → {})",
                map.bar_beat(change.position_beats),
                metre_text(*before),
                metre_text(change.time_signature)
            )
        })
        .collect();
    lines.extend(map.tempo_changes_within(start_beats, end_beats).iter().map(
        |(change, before)| {
            format!(
                "the tempo changes at {} ({} → {} BPM)",
                map.bar_beat(change.position_beats),
                tidy(*before, 2),
                tidy(change.tempo_bpm, 2)
            )
        },
    ));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_prose() {
        assert_eq!(count(1, "note", "notes"), "1 note");
        assert_eq!(count(2, "note", "notes"), "2 notes");
        assert_eq!(bars_of(4.0, TimeSignature::new(3, 4)), "4 bars of 3/4");
        assert_eq!(bars_of(1.0, TimeSignature::new(6, 8)), "1 bar of 6/8");
    }
}
