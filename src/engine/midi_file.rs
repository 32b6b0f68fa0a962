//! Standard MIDI File import and export (via `midly`).
//!
//! Import reads SMF type 0, 1 and 2 at any resolution (ticks per quarter note, or SMPTE time
//! through the tempo map), with running status, and gives a [`Performance`]: the chosen track's
//! notes and sustain pedal in beats, plus metre and tempo. Export writes motifs (and, later,
//! renderings) as type-1 files at 960 ticks per quarter note. Malformed input is an error that
//! says what is wrong, never a panic. Offline only: these functions allocate.

use midly::num::{u15, u24, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

use super::event::CC_SUSTAIN;
use super::key::Mode;
use super::motif::{Motif, Note, TimeSignature};
use super::rendering::CcPoint;

/// Resolution of the files Reprise writes, in ticks per quarter note.
pub const EXPORT_TICKS_PER_BEAT: u16 = 960;

/// What went wrong reading a MIDI file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MidiFileError {
    /// The bytes are not a readable Standard MIDI File.
    Malformed {
        /// What the parser objected to.
        reason: String,
    },
    /// The header declares a resolution of 0 ticks per quarter note (or 0 SMPTE subframes).
    ZeroResolution,
    /// `--track N` asked for a track the file does not have. (Fields are 0-based indices; the
    /// message numbers tracks from 1, as a DAW lists them.)
    TrackOutOfRange {
        /// Requested track index (0-based).
        requested: usize,
        /// Number of tracks in the file.
        num_tracks: usize,
    },
    /// The chosen track (or every track) holds no notes.
    NoNotes {
        /// Index of the track that was searched (0-based), or `None` if all were.
        track: Option<usize>,
    },
    /// The only notes are on MIDI channel 10 (General MIDI drums), which is ignored unless
    /// asked for.
    OnlyDrums {
        /// Index of the track that was searched (0-based), or `None` if all were.
        track: Option<usize>,
    },
}

impl std::fmt::Display for MidiFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MidiFileError::Malformed { reason } => write!(f, "not a valid MIDI file: {reason}"),
            MidiFileError::ZeroResolution => {
                f.write_str("invalid MIDI file: the header's time resolution is 0")
            }
            MidiFileError::TrackOutOfRange {
                requested,
                num_tracks,
            } => {
                write!(
                    f,
                    "track {} does not exist: the file has {num_tracks} track(s), numbered from 1",
                    requested + 1
                )
            }
            MidiFileError::NoNotes { track: Some(track) } => {
                write!(f, "track {} contains no notes", track + 1)
            }
            MidiFileError::NoNotes { track: None } => f.write_str("the file contains no notes"),
            MidiFileError::OnlyDrums { track } => {
                let place = match track {
                    Some(track) => format!("track {}", track + 1),
                    None => "the file".to_owned(),
                };
                write!(
                    f,
                    "{place} has notes only on channel 10 (drums), which are ignored; \
                     include them to use them (--include-drums)"
                )
            }
        }
    }
}

impl std::error::Error for MidiFileError {}

pub use crate::engine::performance::{Performance, PerformanceEvent, TimedEvent, DRUM_CHANNEL};

/// Reads a performance from SMF bytes: track `track` if given, else the first track with notes.
/// Notes on channel 10 (General MIDI drums) are left out (counted in
/// [`Performance::num_drum_notes_ignored`]); see [`read_performance_with_drums`].
///
/// # Errors
///
/// [`MidiFileError`] for unreadable files, a zero resolution, a missing track or no notes.
pub fn read_performance(bytes: &[u8], track: Option<usize>) -> Result<Performance, MidiFileError> {
    read_performance_with_drums(bytes, track, false)
}

/// [`read_performance`], keeping the notes on channel 10 if `include_drums`.
///
/// # Errors
///
/// As [`read_performance`]; [`MidiFileError::OnlyDrums`] when drums are left out and are the
/// only notes.
pub fn read_performance_with_drums(
    bytes: &[u8],
    track: Option<usize>,
    include_drums: bool,
) -> Result<Performance, MidiFileError> {
    check_smpte_rate(bytes)?;
    let smf = Smf::parse(bytes).map_err(|e| MidiFileError::Malformed {
        reason: e.to_string(),
    })?;
    let num_tracks = smf.tracks.len();
    let clock = TickClock::new(&smf)?;

    let (time_signature, first_tempo) = first_metre_and_tempo(&smf);
    let track_idx = choose_track(&smf, track, include_drums)?;
    let (events, num_drum_notes_ignored) =
        performance_events(&smf.tracks[track_idx], &clock, include_drums);
    Ok(Performance {
        events,
        time_signature: time_signature.unwrap_or_default(),
        tempo_bpm: first_tempo.unwrap_or(120.0),
        track_idx,
        num_tracks,
        num_drum_notes_ignored,
    })
}

/// The first time signature and tempo (BPM) in file order: the conductor track in type-1 files.
fn first_metre_and_tempo(smf: &Smf) -> (Option<TimeSignature>, Option<f64>) {
    let mut time_signature = None;
    let mut first_tempo = None;
    // Metre and tempo come from the first such events in file order (the conductor track in
    // type-1 files).
    for track_events in &smf.tracks {
        for event in track_events {
            match event.kind {
                TrackEventKind::Meta(MetaMessage::TimeSignature(
                    numerator,
                    denominator_pow2,
                    _,
                    _,
                )) if time_signature.is_none() => {
                    let denominator = 1u32.checked_shl(denominator_pow2 as u32).unwrap_or(0);
                    time_signature =
                        Some(TimeSignature::new(numerator, denominator.min(255) as u8));
                }
                TrackEventKind::Meta(MetaMessage::Tempo(us_per_beat)) if first_tempo.is_none() => {
                    first_tempo = Some(bpm_from_us_per_beat(us_per_beat.as_int()));
                }
                _ => {}
            }
        }
    }
    (time_signature, first_tempo)
}

/// The track to read: `track` if it exists and has notes (drums counted only with
/// `include_drums`), else the first track with notes.
fn choose_track(
    smf: &Smf,
    track: Option<usize>,
    include_drums: bool,
) -> Result<usize, MidiFileError> {
    let num_tracks = smf.tracks.len();
    let has_notes = |events: &[TrackEvent], drums: bool| {
        events.iter().any(|e| {
            matches!(e.kind, TrackEventKind::Midi { channel, message: MidiMessage::NoteOn { vel, .. } }
                if vel.as_int() > 0 && (drums || channel.as_int() != DRUM_CHANNEL))
        })
    };
    let no_notes = |track: Option<usize>, tracks: &[&[TrackEvent]]| {
        if !include_drums && tracks.iter().any(|t| has_notes(t, true)) {
            MidiFileError::OnlyDrums { track }
        } else {
            MidiFileError::NoNotes { track }
        }
    };
    Ok(match track {
        Some(requested) if requested >= num_tracks => {
            return Err(MidiFileError::TrackOutOfRange {
                requested,
                num_tracks,
            });
        }
        Some(requested) if !has_notes(&smf.tracks[requested], include_drums) => {
            return Err(no_notes(Some(requested), &[&smf.tracks[requested]]));
        }
        Some(requested) => requested,
        None => match smf.tracks.iter().position(|t| has_notes(t, include_drums)) {
            Some(found) => found,
            None => {
                let tracks: Vec<&[TrackEvent]> = smf.tracks.iter().map(|t| &t[..]).collect();
                return Err(no_notes(None, &tracks));
            }
        },
    })
}

/// The notes, releases and sustain pedal of one track in beats, in time order, and how many
/// drum notes (channel 10) were left out.
fn performance_events(
    track_events: &[TrackEvent],
    clock: &TickClock,
    include_drums: bool,
) -> (Vec<TimedEvent>, usize) {
    let mut num_drum_notes_ignored = 0;

    let mut events = Vec::new();
    let mut ticks: u64 = 0;
    for event in track_events {
        ticks += event.delta.as_int() as u64;
        let TrackEventKind::Midi { channel, message } = event.kind else {
            continue;
        };
        let channel = channel.as_int();
        if channel == DRUM_CHANNEL && !include_drums {
            if matches!(message, MidiMessage::NoteOn { vel, .. } if vel.as_int() > 0) {
                num_drum_notes_ignored += 1;
            }
            continue;
        }
        let kind = match message {
            MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => PerformanceEvent::NoteOn {
                channel,
                key: key.as_int(),
                velocity: vel.as_int() as f32 / 127.0,
            },
            MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                PerformanceEvent::NoteOff {
                    channel,
                    key: key.as_int(),
                }
            }
            MidiMessage::Controller { controller, value } if controller.as_int() == CC_SUSTAIN => {
                PerformanceEvent::Sustain {
                    channel,
                    down: value.as_int() >= 64,
                }
            }
            _ => continue,
        };
        events.push(TimedEvent {
            beats: clock.beats(ticks),
            kind,
        });
    }
    // Tracks are time-ordered by construction (deltas are non-negative); keep it explicit.
    events.sort_by(|a, b| a.beats.total_cmp(&b.beats));
    (events, num_drum_notes_ignored)
}

/// Rejects an SMPTE division whose frame-rate byte is −128: midly 0.5 negates it without a
/// check, which overflows (a panic in debug builds). Found by the mutation fuzzer in
/// `tests/midi_files.rs`; the file is kept in the malformed corpus.
fn check_smpte_rate(bytes: &[u8]) -> Result<(), MidiFileError> {
    let header = bytes.windows(4).position(|w| w == b"MThd");
    if let Some(division_high) = header.and_then(|offset| bytes.get(offset + 12)) {
        if *division_high == 0x80 {
            return Err(MidiFileError::Malformed {
                reason: "invalid SMPTE frame rate (-128)".into(),
            });
        }
    }
    Ok(())
}

/// The notes of a performance as written (no phrase splitting, pedal ignored), from the bar
/// line at or before the first note. A key struck again while sounding ends the earlier note;
/// notes left open end at the last event. Cut at the motif capacity (`truncated`).
pub fn motif_from_performance(performance: &Performance) -> Motif {
    let mut motif = Motif::new(performance.time_signature, performance.tempo_bpm);
    let bar = performance.time_signature.bar_length_beats();
    let first_onset = performance
        .events
        .iter()
        .find_map(|e| matches!(e.kind, PerformanceEvent::NoteOn { .. }).then_some(e.beats))
        .unwrap_or(0.0);
    let origin = (first_onset / bar).floor() * bar;
    let last_beats = performance.events.last().map_or(0.0, |e| e.beats);
    let mut open: [[Option<(f64, f32)>; 128]; 16] = [[None; 128]; 16];
    let close = |motif: &mut Motif, channel: u8, key: u8, start: f64, velocity: f32, end: f64| {
        let length_beats = if end > start { end - start } else { 1e-3 };
        motif.push(Note {
            start_beats: start - origin,
            length_beats,
            key,
            velocity,
            channel,
        });
    };
    for event in &performance.events {
        match event.kind {
            PerformanceEvent::NoteOn {
                channel,
                key,
                velocity,
            } => {
                let slot = &mut open[channel as usize][key as usize];
                if let Some((start, previous_velocity)) = slot.take() {
                    close(
                        &mut motif,
                        channel,
                        key,
                        start,
                        previous_velocity,
                        event.beats,
                    );
                }
                *slot = Some((event.beats, velocity));
            }
            PerformanceEvent::NoteOff { channel, key } => {
                if let Some((start, velocity)) = open[channel as usize][key as usize].take() {
                    close(&mut motif, channel, key, start, velocity, event.beats);
                }
            }
            PerformanceEvent::Sustain { .. } => {}
        }
    }
    for (channel, keys) in open.iter().enumerate() {
        for (key, slot) in keys.iter().enumerate() {
            if let Some((start, velocity)) = *slot {
                close(
                    &mut motif,
                    channel as u8,
                    key as u8,
                    start,
                    velocity,
                    last_beats,
                );
            }
        }
    }
    motif.finish();
    motif
}

/// A named track of notes (and controller points) to export.
#[derive(Debug, Clone, Copy)]
pub struct ExportTrack<'a> {
    /// Track name written as a meta event.
    pub name: &'a str,
    /// Notes in beats from the file start, on their own channels.
    pub notes: &'a [Note],
    /// Controller points in beats, on their own channels.
    pub ccs: &'a [CcPoint],
}

/// Writes a type-1 SMF at [`EXPORT_TICKS_PER_BEAT`]: a conductor track (tempo, time signature,
/// key signature when `key` is given) and one track per [`ExportTrack`].
pub fn write_tracks(
    tracks: &[ExportTrack],
    time_signature: TimeSignature,
    tempo_bpm: f64,
    key: Option<super::key::Key>,
) -> Vec<u8> {
    let mut conductor: Vec<TrackEvent> = Vec::new();
    let us_per_beat = (60_000_000.0 / super::motif::sanitize_tempo_bpm(tempo_bpm)).round() as u32;
    conductor.push(meta(
        0,
        MetaMessage::Tempo(u24::new(us_per_beat.min(0xFF_FFFF))),
    ));
    let denominator_pow2 = time_signature.denominator.trailing_zeros() as u8;
    conductor.push(meta(
        0,
        MetaMessage::TimeSignature(time_signature.numerator, denominator_pow2, 24, 8),
    ));
    if let Some(key) = key {
        conductor.push(meta(
            0,
            MetaMessage::KeySignature(key_signature_sharps(key), key.mode == Mode::Minor),
        ));
    }
    conductor.push(meta(0, MetaMessage::EndOfTrack));

    let mut smf = Smf::new(Header::new(
        Format::Parallel,
        Timing::Metrical(u15::new(EXPORT_TICKS_PER_BEAT)),
    ));
    smf.tracks.push(conductor);
    for track in tracks {
        smf.tracks.push(note_track(track));
    }
    let mut bytes = Vec::new();
    // Writing into a Vec cannot fail.
    smf.write_std(&mut bytes).expect("writing MIDI into memory");
    bytes
}

/// Writes a motif as a type-1 SMF with one track named "Motif".
pub fn write_motif(motif: &Motif) -> Vec<u8> {
    write_tracks(
        &[ExportTrack {
            name: "Motif",
            notes: motif.notes(),
            ccs: &[],
        }],
        motif.time_signature,
        motif.tempo_bpm,
        motif.key(),
    )
}

fn note_track<'a>(track: &ExportTrack<'a>) -> Vec<TrackEvent<'a>> {
    // (tick, order, channel, message): at the same tick note-offs (order 0) come first, so a
    // repeated key is released before it is struck again, then controllers (1), so a level is
    // set before the note it shapes, then note-ons (2).
    let mut timed: Vec<(u64, u8, u8, MidiMessage)> =
        Vec::with_capacity(track.notes.len() * 2 + track.ccs.len());
    for point in track.ccs {
        let value = u7::new(super::event::fraction_to_midi_7bit(point.value));
        let message = MidiMessage::Controller {
            controller: u7::new(point.cc.min(127)),
            value,
        };
        timed.push((
            beats_to_ticks(point.beats),
            1,
            point.channel.min(15),
            message,
        ));
    }
    for note in track.notes {
        let start = beats_to_ticks(note.start_beats);
        let end = beats_to_ticks(note.end_beats()).max(start + 1);
        let key = u7::new(note.key.min(127));
        let velocity = super::event::fraction_to_midi_7bit(note.velocity).max(1);
        let channel = note.channel.min(15);
        timed.push((
            start,
            1,
            channel,
            MidiMessage::NoteOn {
                key,
                vel: u7::new(velocity),
            },
        ));
        timed.push((
            end,
            0,
            channel,
            MidiMessage::NoteOff {
                key,
                vel: u7::new(0),
            },
        ));
    }
    // Stable: controller points keep their given order within a tick.
    timed.sort_by_key(|&(tick, order, _, _)| (tick, order));
    let mut events = vec![meta(0, MetaMessage::TrackName(track.name.as_bytes()))];
    let mut last_tick = 0;
    for (tick, _, channel, message) in timed {
        let delta = (tick - last_tick).min(u28::max_value().as_int() as u64) as u32;
        events.push(TrackEvent {
            delta: u28::new(delta),
            kind: TrackEventKind::Midi {
                channel: u4::new(channel),
                message,
            },
        });
        last_tick = tick;
    }
    events.push(meta(0, MetaMessage::EndOfTrack));
    events
}

fn meta(delta: u32, message: MetaMessage) -> TrackEvent {
    TrackEvent {
        delta: u28::new(delta),
        kind: TrackEventKind::Meta(message),
    }
}

fn beats_to_ticks(beats: f64) -> u64 {
    (beats.max(0.0) * EXPORT_TICKS_PER_BEAT as f64).round() as u64
}

/// Sharps (positive) or flats (negative) of a key signature.
fn key_signature_sharps(key: super::key::Key) -> i8 {
    // Relative major's tonic decides the signature.
    let major_tonic = match key.mode {
        Mode::Major => key.tonic,
        Mode::Minor => (key.tonic + 3) % 12,
    };
    // Circle of fifths position of each major tonic, preferring the spelling with fewer
    // accidentals (F# major as 6 sharps, D♭ as 5 flats).
    const SHARPS: [i8; 12] = [0, -5, 2, -3, 4, -1, 6, 1, -4, 3, -2, 5];
    SHARPS[major_tonic as usize]
}

fn bpm_from_us_per_beat(us_per_beat: u32) -> f64 {
    if us_per_beat == 0 {
        120.0
    } else {
        super::motif::sanitize_tempo_bpm(60_000_000.0 / us_per_beat as f64)
    }
}

/// Converts absolute ticks to beats for either kind of file timing.
struct TickClock {
    /// Metrical files: ticks per quarter note.
    ticks_per_beat: Option<f64>,
    /// SMPTE files: ticks per second.
    ticks_per_second: f64,
    /// SMPTE files: tempo changes as (tick, µs per beat), sorted by tick.
    tempo_map: Vec<(u64, u32)>,
}

impl TickClock {
    fn new(smf: &Smf) -> Result<Self, MidiFileError> {
        match smf.header.timing {
            Timing::Metrical(ticks) => {
                if ticks.as_int() == 0 {
                    return Err(MidiFileError::ZeroResolution);
                }
                Ok(Self {
                    ticks_per_beat: Some(ticks.as_int() as f64),
                    ticks_per_second: 0.0,
                    tempo_map: Vec::new(),
                })
            }
            Timing::Timecode(fps, subframes) => {
                if subframes == 0 {
                    return Err(MidiFileError::ZeroResolution);
                }
                let ticks_per_second = fps.as_f32() as f64 * subframes as f64;
                let mut changes: Vec<(u64, u32)> = Vec::new();
                for track in &smf.tracks {
                    let mut ticks = 0u64;
                    for event in track {
                        ticks += event.delta.as_int() as u64;
                        if let TrackEventKind::Meta(MetaMessage::Tempo(us)) = event.kind {
                            changes.push((ticks, us.as_int().max(1)));
                        }
                    }
                }
                changes.sort_by_key(|&(tick, _)| tick);
                Ok(Self {
                    ticks_per_beat: None,
                    ticks_per_second,
                    tempo_map: changes,
                })
            }
        }
    }

    fn beats(&self, ticks: u64) -> f64 {
        if let Some(ticks_per_beat) = self.ticks_per_beat {
            return ticks as f64 / ticks_per_beat;
        }
        // Beats accumulated over each tempo segment up to `ticks`.
        let mut beats = 0.0;
        let mut segment_start_tick = 0u64;
        let mut us_per_beat = 500_000u32;
        for &(tick, next_us_per_beat) in &self.tempo_map {
            if tick >= ticks {
                break;
            }
            beats += (tick - segment_start_tick) as f64 / self.ticks_per_second * 1e6
                / us_per_beat as f64;
            segment_start_tick = tick;
            us_per_beat = next_us_per_beat;
        }
        beats
            + (ticks - segment_start_tick) as f64 / self.ticks_per_second * 1e6 / us_per_beat as f64
    }
}
