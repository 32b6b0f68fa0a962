//! Find Tempo: the tempo and the place of bar 1 that put the picture's hits on the music's
//! grid — every `must` hit as near a bar line as can be, then the `should` hits near beats.
//!
//! For one tempo the best place of bar 1 is exact, not searched: the `must` hits' positions
//! within a bar are points on a circle, and the bar line that is farthest from none of them sits
//! in the middle of the arc that holds them all (the circle less its largest empty gap). So the
//! search only walks the tempo, in hundredths of a BPM.

use super::hits::{HitList, Importance, MAX_HITS};
use super::motif::{TimeSignature, BEAT_EPSILON};
use super::timecode::{frames_to_seconds, FrameRate};

/// Tempo resolution of the search, BPM.
pub const TEMPO_STEP_BPM: f64 = 0.01;
/// Two answers whose largest `must` error differs by less than this many frames are equally
/// good on it (the `should` hits, then the motif's own tempo decide).
const FRAME_TIE: f64 = 1e-3;

/// What Find Tempo is asked.
#[derive(Debug, Clone, Copy)]
pub struct SpotRequest<'a> {
    /// The hits (frames from the song's zero).
    pub hits: &'a HitList,
    /// The picture's frame rate.
    pub rate: FrameRate,
    /// The music's metre: `must` hits go on its bar lines, `should` hits on its beats.
    pub metre: TimeSignature,
    /// Slowest and fastest tempo to consider, BPM.
    pub tempo_range_bpm: (f64, f64),
    /// The motif's own tempo: among equal answers, the nearest wins.
    pub preferred_tempo_bpm: f64,
}

/// Find Tempo's answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpotAnswer {
    /// The tempo, BPM.
    pub tempo_bpm: f64,
    /// Where bar 1 starts, seconds from the song's zero (0 ≤ offset < one bar).
    pub bar_one_seconds: f64,
    /// The largest distance of a `must` hit from its nearest bar line, frames.
    pub max_must_frames: f64,
    /// The root mean square distance of the `should` hits from their nearest beats, frames.
    pub rms_should_frames: f64,
    /// Per hit, in the list's order: signed frames from its grid point (bar line or beat) to
    /// the hit (positive: the music's grid point comes after the hit).
    pub frames_off: [f64; MAX_HITS],
}

/// Seconds of each hit and whether it must land, in the list's order.
fn hit_times(request: &SpotRequest) -> ([f64; MAX_HITS], [bool; MAX_HITS], usize) {
    let mut seconds = [0.0; MAX_HITS];
    let mut must = [false; MAX_HITS];
    let mut count = 0;
    for (i, hit) in request.hits.iter().enumerate().take(MAX_HITS) {
        seconds[i] = frames_to_seconds(hit.frame, request.rate);
        must[i] = hit.importance == Importance::Must;
        count = i + 1;
    }
    (seconds, must, count)
}

/// Offset (seconds, within one `period`) whose grid points lie nearest all of `times`: the
/// middle of the arc that holds every time's phase. Returns (offset, largest distance).
fn best_offset(times: &[f64], period: f64) -> (f64, f64) {
    let mut phases = [0.0; MAX_HITS];
    let count = times.len().min(MAX_HITS);
    for (phase, time) in phases.iter_mut().zip(times) {
        *phase = time.rem_euclid(period) / period;
    }
    let phases = &mut phases[..count];
    if phases.is_empty() {
        return (0.0, 0.0);
    }
    phases.sort_unstable_by(f64::total_cmp);
    // The largest empty gap between neighbouring phases (round the circle).
    let mut gap = 1.0 - phases[count - 1] + phases[0];
    let mut arc_start = phases[0];
    for pair in phases.windows(2) {
        if pair[1] - pair[0] > gap {
            gap = pair[1] - pair[0];
            arc_start = pair[1];
        }
    }
    let half_arc = (1.0 - gap) / 2.0;
    let center = (arc_start + half_arc).rem_euclid(1.0);
    (center * period, half_arc * period)
}

/// Signed distance (seconds) from `time` to the nearest grid point `offset + k·period`.
fn off_grid(time: f64, offset: f64, period: f64) -> f64 {
    let units = (time - offset) / period;
    (units.round() - units) * period
}

/// Scores one tempo: the bar-1 offset and the (largest `must`, RMS `should`) errors in seconds.
fn score(seconds: &[f64], must: &[bool], metre: TimeSignature, tempo_bpm: f64) -> (f64, f64, f64) {
    let bar_seconds = metre.bar_length_beats() * 60.0 / tempo_bpm;
    let pulse_seconds = metre.pulse_length_beats() * 60.0 / tempo_bpm;
    let mut musts = [0.0; MAX_HITS];
    let mut num_musts = 0;
    for (time, &is_must) in seconds.iter().zip(must) {
        if is_must {
            musts[num_musts] = *time;
            num_musts += 1;
        }
    }
    let (offset, worst) = if num_musts > 0 {
        best_offset(&musts[..num_musts], bar_seconds)
    } else {
        // Only `should` hits: put them as near beats as can be; bar 1 on one of those beats.
        let (offset, _) = best_offset(seconds, pulse_seconds);
        (offset, 0.0)
    };
    let mut sum_squares = 0.0;
    let mut num_shoulds = 0;
    for (time, &is_must) in seconds.iter().zip(must) {
        if !is_must {
            sum_squares += off_grid(*time, offset, pulse_seconds).powi(2);
            num_shoulds += 1;
        }
    }
    let rms = if num_shoulds > 0 {
        (sum_squares / num_shoulds as f64).sqrt()
    } else {
        0.0
    };
    (offset, worst, rms)
}

/// Finds the tempo (in [`TEMPO_STEP_BPM`] steps within the range) and the place of bar 1 that
/// land the `must` hits nearest bar lines (smallest largest error), then the `should` hits
/// nearest beats (smallest RMS), then nearest the motif's tempo. `None` with no hits or an
/// empty range.
pub fn find_tempo(request: &SpotRequest) -> Option<SpotAnswer> {
    let (seconds, must, count) = hit_times(request);
    let (low, high) = request.tempo_range_bpm;
    if count == 0 || !(low.is_finite() && high.is_finite() && low > 0.0 && high >= low) {
        return None;
    }
    let fps = request.rate.fps();
    let first_step = (low / TEMPO_STEP_BPM).ceil() as i64;
    let last_step = (high / TEMPO_STEP_BPM + BEAT_EPSILON).floor() as i64;
    let mut best: Option<(f64, f64, f64, f64)> = None; // tempo, offset, worst, rms (seconds)
    for step in first_step..=last_step {
        let tempo = step as f64 * TEMPO_STEP_BPM;
        let (offset, worst, rms) = score(&seconds[..count], &must[..count], request.metre, tempo);
        let better = match best {
            None => true,
            Some((best_tempo, _, best_worst, best_rms)) => {
                let worst_frames = (worst - best_worst) * fps;
                if worst_frames < -FRAME_TIE {
                    true
                } else if worst_frames > FRAME_TIE {
                    false
                } else if ((rms - best_rms) * fps).abs() > FRAME_TIE {
                    rms < best_rms
                } else {
                    (tempo - request.preferred_tempo_bpm).abs()
                        < (best_tempo - request.preferred_tempo_bpm).abs()
                }
            }
        };
        if better {
            best = Some((tempo, offset, worst, rms));
        }
    }
    let (tempo_bpm, bar_one_seconds, worst, rms) = best?;
    let bar_seconds = request.metre.bar_length_beats() * 60.0 / tempo_bpm;
    let pulse_seconds = request.metre.pulse_length_beats() * 60.0 / tempo_bpm;
    let mut frames_off = [0.0; MAX_HITS];
    for i in 0..count {
        let period = if must[i] { bar_seconds } else { pulse_seconds };
        frames_off[i] = off_grid(seconds[i], bar_one_seconds, period) * fps;
    }
    Some(SpotAnswer {
        tempo_bpm,
        bar_one_seconds,
        max_must_frames: worst * fps,
        rms_should_frames: rms * fps,
        frames_off,
    })
}

/// Largest tempo step a stepped map takes at a bar line (0.10 = 10 %): a conductor's move the
/// players follow, as hit lock's push.
pub const MAX_TEMPO_STEP_RATIO: f64 = 0.10;

/// A tempo step of a stepped map: from bar `bar` (counted from bar 1 = 0) on, `tempo_bpm`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoStep {
    /// Bars after bar 1 where the step is (a bar line).
    pub bar: u32,
    /// The tempo from there, BPM.
    pub tempo_bpm: f64,
}

/// A map of tempo steps at bar lines that puts every `must` hit exactly on a bar line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SteppedMap {
    /// The steps, the first at bar 0 (bar 1 of the music).
    pub steps: [TempoStep; MAX_HITS + 1],
    /// How many.
    pub len: usize,
    /// The largest step between neighbouring tempos, as |ratio − 1|.
    pub largest_step: f64,
}

impl SteppedMap {
    /// The steps.
    pub fn steps(&self) -> &[TempoStep] {
        &self.steps[..self.len]
    }
}

/// From Find Tempo's `answer` (bar 1 and the steady tempo), a map with a tempo step at the bar
/// line of each `must` hit so the next one falls exactly on a bar line: between two hits the
/// number of bars is the one whose tempo is the smallest step from the tempo before (each at
/// most [`MAX_TEMPO_STEP_RATIO`] where any count allows). `None` without `must` hits after bar 1.
pub fn stepped_map(request: &SpotRequest, answer: &SpotAnswer) -> Option<SteppedMap> {
    let (seconds, must, count) = hit_times(request);
    let bar_beats = request.metre.bar_length_beats();
    let mut map = SteppedMap {
        steps: [TempoStep {
            bar: 0,
            tempo_bpm: answer.tempo_bpm,
        }; MAX_HITS + 1],
        len: 1,
        largest_step: 0.0,
    };
    let mut musts = [0.0; MAX_HITS];
    let mut num_musts = 0;
    for (time, &is_must) in seconds[..count].iter().zip(&must[..count]) {
        if is_must && *time > answer.bar_one_seconds + 1e-9 {
            musts[num_musts] = *time;
            num_musts += 1;
        }
    }
    let musts = &mut musts[..num_musts];
    musts.sort_unstable_by(f64::total_cmp);
    if musts.is_empty() {
        return None;
    }
    let (mut anchor_bar, mut anchor_seconds, mut tempo) =
        (0u32, answer.bar_one_seconds, answer.tempo_bpm);
    for &time in musts.iter() {
        let span = time - anchor_seconds;
        if span <= 1e-9 {
            continue;
        }
        let bars_at_tempo = span / (bar_beats * 60.0 / tempo);
        if bars_at_tempo < 0.5 {
            // On the bar line just placed (Find Tempo put it there, up to frame rounding).
            continue;
        }
        let nearest = bars_at_tempo.round();
        let mut best: Option<(f64, f64)> = None; // (bars, tempo)
        for bars in [nearest - 1.0, nearest, nearest + 1.0] {
            if bars < 1.0 {
                continue;
            }
            let candidate = bars * bar_beats * 60.0 / span;
            let step = (candidate / tempo - 1.0).abs();
            if best.is_none_or(|(_, t)| step < (t / tempo - 1.0).abs()) {
                best = Some((bars, candidate));
            }
        }
        let (bars, next_tempo) = best?;
        map.largest_step = map.largest_step.max((next_tempo / tempo - 1.0).abs());
        if (next_tempo - tempo).abs() > 1e-9 {
            if anchor_bar == map.steps[map.len - 1].bar {
                map.steps[map.len - 1].tempo_bpm = next_tempo;
            } else if map.len < map.steps.len() {
                map.steps[map.len] = TempoStep {
                    bar: anchor_bar,
                    tempo_bpm: next_tempo,
                };
                map.len += 1;
            }
        }
        anchor_bar += bars as u32;
        anchor_seconds = time;
        tempo = next_tempo;
    }
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::hits::{Hit, HitName, Lands};
    use crate::engine::timecode::nearest_frame;

    fn hits_at(seconds: &[(f64, Importance)], rate: FrameRate) -> HitList {
        let mut hits = HitList::default();
        for &(time, importance) in seconds {
            hits.push(Hit {
                frame: nearest_frame(time, rate),
                name: HitName::new("hit"),
                lands: Lands::Climax,
                importance,
            });
        }
        hits
    }

    #[test]
    fn hits_on_a_known_grid_are_found_within_half_a_frame() {
        // 3/4 at 97.31 BPM with bar 1 at 2.25 s: must hits on bar lines 1, 5, 12, 20, 31 and
        // a should hit on a beat; the search must find a grid that lands them all.
        let rate = FrameRate::Fps23_976;
        let (tempo, offset) = (97.31, 2.25);
        let bar = 3.0 * 60.0 / tempo;
        let beat = 60.0 / tempo;
        let mut times: Vec<(f64, Importance)> = [0, 4, 11, 19, 30]
            .iter()
            .map(|&b| (offset + b as f64 * bar, Importance::Must))
            .collect();
        times.push((offset + 7.0 * bar + 2.0 * beat, Importance::Should));
        let hits = hits_at(&times, rate);
        let answer = find_tempo(&SpotRequest {
            hits: &hits,
            rate,
            metre: TimeSignature::new(3, 4),
            tempo_range_bpm: (60.0, 140.0),
            preferred_tempo_bpm: 100.0,
        })
        .unwrap();
        assert!(answer.max_must_frames <= 0.5, "{answer:?}");
        assert!(answer.rms_should_frames <= 0.5, "{answer:?}");
    }

    #[test]
    fn the_answer_is_as_good_as_a_brute_force_search() {
        // Hits a film would have (not on any grid): the exact offset per tempo must match a
        // search over offsets in 1 ms steps.
        let rate = FrameRate::Fps24;
        let times = [3.2, 11.9, 19.45, 33.0, 47.7, 61.25, 74.0, 88.4];
        let hits = hits_at(&times.map(|t| (t, Importance::Must)), rate);
        let metre = TimeSignature::new(4, 4);
        let answer = find_tempo(&SpotRequest {
            hits: &hits,
            rate,
            metre,
            tempo_range_bpm: (75.0, 85.0),
            preferred_tempo_bpm: 80.0,
        })
        .unwrap();
        let seconds: Vec<f64> = hits
            .iter()
            .map(|h| frames_to_seconds(h.frame, rate))
            .collect();
        let mut brute = f64::INFINITY;
        for step in 7500..=8500 {
            let tempo = step as f64 / 100.0;
            let bar = 4.0 * 60.0 / tempo;
            for ms in 0..(bar * 1000.0) as i64 {
                let offset = ms as f64 / 1000.0;
                let worst = seconds
                    .iter()
                    .map(|&t| off_grid(t, offset, bar).abs())
                    .fold(0.0, f64::max);
                brute = brute.min(worst * 24.0);
            }
        }
        // The exact offset can only beat a 1 ms grid (by at most 0.5 ms = 0.012 frames).
        assert!(
            answer.max_must_frames <= brute + 1e-9,
            "{answer:?} vs {brute}"
        );
        assert!(
            answer.max_must_frames >= brute - 0.0121,
            "{answer:?} vs {brute}"
        );
    }

    #[test]
    fn best_offset_is_the_middle_of_the_arc_that_holds_the_phases() {
        // Phases 0.9, 0.0, 0.1 of a 1 s period: the arc from 0.9 round to 0.1, centre 0.
        let (offset, worst) = best_offset(&[0.9, 2.0, 3.1], 1.0);
        assert!(offset.min(1.0 - offset) < 1e-9 && (worst - 0.1).abs() < 1e-9);
    }

    #[test]
    fn a_stepped_map_puts_every_must_hit_on_a_bar_line_with_small_steps() {
        // Hits a steady tempo cannot all land: at 100 BPM 4/4 (2.4 s bars), then drifting.
        let rate = FrameRate::Fps24;
        let times = [2.4, 7.2, 12.3, 17.0, 24.4];
        let hits = hits_at(&times.map(|t| (t, Importance::Must)), rate);
        let request = SpotRequest {
            hits: &hits,
            rate,
            metre: TimeSignature::new(4, 4),
            tempo_range_bpm: (80.0, 120.0),
            preferred_tempo_bpm: 100.0,
        };
        let answer = find_tempo(&request).unwrap();
        assert!(
            answer.max_must_frames > 0.5,
            "a steady tempo lands them all ({} frames): the case proves nothing",
            answer.max_must_frames
        );
        let map = stepped_map(&request, &answer).unwrap();
        assert!(map.len > 1, "no step taken");
        assert!(map.largest_step <= MAX_TEMPO_STEP_RATIO, "{map:?}");
        // Walk the map: each hit's time lies on a bar line.
        let bar_time = |bar: f64| {
            let mut seconds = answer.bar_one_seconds;
            let mut at = 0.0;
            for (k, step) in map.steps().iter().enumerate() {
                let until = map
                    .steps()
                    .get(k + 1)
                    .map_or(f64::INFINITY, |s| f64::from(s.bar));
                let bars = (bar.min(until) - at).max(0.0);
                seconds += bars * 4.0 * 60.0 / step.tempo_bpm;
                at = until;
                if bar <= until {
                    break;
                }
            }
            seconds
        };
        for &t in &times {
            let frame_time = frames_to_seconds(nearest_frame(t, rate), rate);
            let nearest = (0..40)
                .map(|b| (bar_time(f64::from(b)) - frame_time).abs())
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest * rate.fps() < 0.5,
                "hit at {t} s is {nearest} s off a bar line"
            );
        }
    }
}
