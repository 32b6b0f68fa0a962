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
use super::time_map::{MetreChange, TempoChange, TimeMap};

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
        /// The track's name, if it has one.
        name: Option<String>,
        /// The tracks that do hold notes (none when `track` is `None`).
        tracks_with_notes: Vec<TrackWithNotes>,
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
                    "track {} does not exist: the file has {num_tracks} {}, numbered from 1",
                    requested + 1,
                    if *num_tracks == 1 { "track" } else { "tracks" }
                )
            }
            MidiFileError::NoNotes {
                track: Some(track),
                name,
                tracks_with_notes,
            } => {
                write!(
                    f,
                    "{} contains no notes",
                    track_label(*track, name.as_deref())
                )?;
                let labels: Vec<String> = tracks_with_notes
                    .iter()
                    .map(|t| track_label(t.track_idx, t.name.as_deref()))
                    .collect();
                match labels.as_slice() {
                    [] => Ok(()),
                    [only] => write!(f, "; the notes are on {only}"),
                    [rest @ .., last] => {
                        write!(f, "; the notes are on {} and {last}", rest.join(", "))
                    }
                }
            }
            MidiFileError::NoNotes { track: None, .. } => f.write_str("the file contains no notes"),
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

/// A track as a DAW lists it: its number from 1 and its name, `track 2 "Piano"` (`track 2`
/// when it has none). `track_idx` is 0-based.
pub fn track_label(track_idx: usize, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("track {} \"{name}\"", track_idx + 1),
        None => format!("track {}", track_idx + 1),
    }
}

/// A track that holds notes, for telling which ones do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackWithNotes {
    /// Index of the track (0-based).
    pub track_idx: usize,
    /// The track's name, if it has one.
    pub name: Option<String>,
}

pub use crate::engine::performance::{
    CutShort, Performance, PerformanceEvent, TimedEvent, DRUM_CHANNEL,
};

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

/// A file's marker (and cue point) events, as (position in beats, text) in time order, with the
/// file's tempo and metre maps (to time them: [`TimeMap::seconds_at`]).
///
/// # Errors
///
/// [`MidiFileError`] for unreadable files or a zero resolution.
pub fn read_markers(bytes: &[u8]) -> Result<(TimeMap, Vec<(f64, String)>), MidiFileError> {
    check_smpte_rate(bytes)?;
    let smf = Smf::parse(bytes).map_err(|e| MidiFileError::Malformed {
        reason: e.to_string(),
    })?;
    let clock = TickClock::new(&smf)?;
    let mut markers = Vec::new();
    for track in &smf.tracks {
        let mut ticks = 0u64;
        for event in track {
            ticks += u64::from(event.delta.as_int());
            if let TrackEventKind::Meta(MetaMessage::Marker(text) | MetaMessage::CuePoint(text)) =
                event.kind
            {
                markers.push((
                    clock.beats(ticks),
                    String::from_utf8_lossy(text).into_owned(),
                ));
            }
        }
    }
    markers.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok((time_map(&smf, &clock), markers))
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

    let time_map = time_map(&smf, &clock);
    let track_idx = choose_track(&smf, track, include_drums)?;
    let (events, num_drum_notes_ignored) =
        performance_events(&smf.tracks[track_idx], &clock, include_drums);
    Ok(Performance {
        events,
        time_signature: time_map.metre_at(0.0),
        tempo_bpm: time_map.tempo_at(0.0),
        time_map,
        track_idx,
        num_tracks,
        num_drum_notes_ignored,
        track_names: smf.tracks.iter().map(|t| track_name(t)).collect(),
        cut_short: cut_short(bytes, &smf),
    })
}

/// Every tempo and time-signature event of the file, in file order across tracks (the
/// conductor track in type-1 files), as beat positions.
fn time_map(smf: &Smf, clock: &TickClock) -> TimeMap {
    let mut tempo_changes = Vec::new();
    let mut metre_changes = Vec::new();
    for track_events in &smf.tracks {
        let mut ticks: u64 = 0;
        for event in track_events {
            // No bound needed here: every event takes bytes of the file, and
            // `TimeMap::from_changes` keeps at most `MAX_MAP_CHANGES` and counts the rest.
            ticks += event.delta.as_int() as u64;
            match event.kind {
                TrackEventKind::Meta(MetaMessage::TimeSignature(
                    numerator,
                    denominator_pow2,
                    _,
                    _,
                )) => {
                    let denominator = 1u32.checked_shl(denominator_pow2 as u32).unwrap_or(0);
                    metre_changes.push(MetreChange {
                        position_beats: clock.beats(ticks),
                        time_signature: TimeSignature::new(numerator, denominator.min(255) as u8),
                    });
                }
                TrackEventKind::Meta(MetaMessage::Tempo(us_per_beat)) => {
                    tempo_changes.push(TempoChange {
                        position_beats: clock.beats(ticks),
                        tempo_bpm: bpm_from_us_per_beat(us_per_beat.as_int()),
                    });
                }
                _ => {}
            }
        }
    }
    TimeMap::from_changes(&tempo_changes, &metre_changes)
}

/// The name a track's first Track Name event gives it, as a DAW shows it.
fn track_name(track_events: &[TrackEvent]) -> Option<String> {
    track_events.iter().find_map(|event| match event.kind {
        TrackEventKind::Meta(MetaMessage::TrackName(name)) => {
            let name = String::from_utf8_lossy(name).trim().to_owned();
            (!name.is_empty()).then_some(name)
        }
        _ => None,
    })
}

/// Whether the file ends before its chunks say it should (a track chunk running past the end
/// without its End of Track event, or fewer track chunks than the header announces).
fn cut_short(bytes: &[u8], smf: &Smf) -> Option<CutShort> {
    let num_tracks_complete = smf
        .tracks
        .iter()
        .filter(|t| {
            t.last()
                .is_some_and(|e| matches!(e.kind, TrackEventKind::Meta(MetaMessage::EndOfTrack)))
        })
        .count();
    let header_offset = bytes.windows(4).position(|w| w == b"MThd")?;
    let read_u32 = |at: usize| -> Option<usize> {
        let field: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_be_bytes(field) as usize)
    };
    let num_tracks_declared = bytes
        .get(header_offset + 10..header_offset + 12)
        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]) as usize);
    // Walk the chunks by their declared lengths to the last one the file begins.
    let mut chunk_offset = header_offset + 8 + read_u32(header_offset + 4)?;
    let mut num_bytes_declared = chunk_offset;
    while chunk_offset + 8 <= bytes.len() {
        let length = read_u32(chunk_offset + 4)?;
        chunk_offset = chunk_offset.saturating_add(8).saturating_add(length);
        num_bytes_declared = chunk_offset;
    }
    if chunk_offset < bytes.len() {
        // The file ends inside a chunk's own 8-byte header.
        num_bytes_declared = chunk_offset + 8;
    }
    let chunk_runs_past_end = num_bytes_declared > bytes.len();
    let track_unfinished = num_tracks_complete < smf.tracks.len();
    let tracks_missing = smf.tracks.len() < num_tracks_declared;
    ((chunk_runs_past_end && track_unfinished) || tracks_missing).then_some(CutShort {
        num_bytes_read: bytes.len(),
        num_bytes_declared: num_bytes_declared.max(bytes.len()),
        num_tracks_declared: num_tracks_declared.max(smf.tracks.len()),
        num_tracks_complete,
    })
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
            let tracks_with_notes = match track {
                Some(_) => smf
                    .tracks
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| has_notes(t, include_drums))
                    .map(|(track_idx, t)| TrackWithNotes {
                        track_idx,
                        name: track_name(t),
                    })
                    .collect(),
                None => Vec::new(),
            };
            MidiFileError::NoNotes {
                track,
                name: track.and_then(|idx| track_name(&smf.tracks[idx])),
                tracks_with_notes,
            }
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

/// Where [`motif_from_performance`] puts the motif's beat 0: the bar line (in the file's metre
/// map) at or before the first note, in beats from the file start.
pub fn motif_origin_beats(performance: &Performance) -> f64 {
    let first_onset = performance
        .events
        .iter()
        .find_map(|e| matches!(e.kind, PerformanceEvent::NoteOn { .. }).then_some(e.beats))
        .unwrap_or(0.0);
    performance.time_map.bar_line_at_or_before(first_onset)
}

/// The notes of a performance as written (no phrase splitting, pedal ignored), from the bar
/// line at or before the first note, in the metre and tempo in force there (the file's maps
/// from that bar on: `performance.time_map.from_origin(motif_origin_beats(performance))`). A key struck again while sounding ends the earlier note;
/// notes left open end at the last event. Cut at the motif capacity (`truncated`).
pub fn motif_from_performance(performance: &Performance) -> Motif {
    let origin = motif_origin_beats(performance);
    let map = &performance.time_map;
    let mut motif = Motif::new(map.metre_at(origin), map.tempo_at(origin));
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
    /// Program changes in beats (articulation switches), on their own channels.
    pub programs: &'a [super::articulation::switches::ProgramPoint],
}

/// Writes a type-1 SMF at [`EXPORT_TICKS_PER_BEAT`]: a conductor track (tempo, time signature,
/// key signature when `key` is given) and one track per [`ExportTrack`].
pub fn write_tracks(
    tracks: &[ExportTrack],
    time_signature: TimeSignature,
    tempo_bpm: f64,
    key: Option<super::key::Key>,
) -> Vec<u8> {
    write_tracks_in_map(tracks, &TimeMap::constant(time_signature, tempo_bpm), key)
}

/// [`write_tracks`] with every tempo and metre change of `time_map` on the conductor track.
pub fn write_tracks_in_map(
    tracks: &[ExportTrack],
    time_map: &TimeMap,
    key: Option<super::key::Key>,
) -> Vec<u8> {
    let conductor = conductor_track(time_map, key);

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
            programs: &[],
        }],
        motif.time_signature,
        motif.tempo_bpm,
        motif.key(),
    )
}

/// Writes a motif as [`write_motif`] does, with `time_map` (seen from the motif's beat 0)
/// instead of the motif's one metre and tempo.
pub fn write_motif_in_map(motif: &Motif, time_map: &TimeMap) -> Vec<u8> {
    write_tracks_in_map(
        &[ExportTrack {
            name: "Motif",
            notes: motif.notes(),
            ccs: &[],
            programs: &[],
        }],
        time_map,
        motif.key(),
    )
}

/// The conductor track: every tempo and metre change at its tick (at one tick the tempo
/// first), the key signature at 0.
fn conductor_track(time_map: &TimeMap, key: Option<super::key::Key>) -> Vec<TrackEvent<'static>> {
    let mut timed: Vec<(u64, MetaMessage<'static>)> = Vec::new();
    for change in time_map.tempo_changes() {
        let tempo_bpm = super::motif::sanitize_tempo_bpm(change.tempo_bpm);
        let us_per_beat = (60_000_000.0 / tempo_bpm).round() as u32;
        timed.push((
            beats_to_ticks(change.position_beats),
            MetaMessage::Tempo(u24::new(us_per_beat.min(0xFF_FFFF))),
        ));
    }
    for change in time_map.metre_changes() {
        let metre = change.time_signature;
        let denominator_pow2 = metre.denominator.trailing_zeros() as u8;
        timed.push((
            beats_to_ticks(change.position_beats),
            MetaMessage::TimeSignature(metre.numerator, denominator_pow2, 24, 8),
        ));
    }
    if let Some(key) = key {
        timed.push((
            0,
            MetaMessage::KeySignature(key_signature_sharps(key), key.mode == Mode::Minor),
        ));
    }
    // Stable: at one tick the tempo, then the metre, then the key, as pushed.
    timed.sort_by_key(|&(tick, _)| tick);
    let mut events = Vec::with_capacity(timed.len() + 1);
    let mut last_tick = 0;
    for (tick, message) in timed {
        events.push(meta(delta_ticks(tick - last_tick), message));
        last_tick = tick;
    }
    events.push(meta(0, MetaMessage::EndOfTrack));
    events
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
    for change in track.programs {
        timed.push((
            beats_to_ticks(change.beats),
            1,
            change.channel.min(15),
            MidiMessage::ProgramChange {
                program: u7::new(change.program.min(127)),
            },
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
        events.push(TrackEvent {
            delta: u28::new(delta_ticks(tick - last_tick)),
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

/// A delta time that fits the file's 28-bit field.
fn delta_ticks(ticks: u64) -> u32 {
    ticks.min(u28::max_value().as_int() as u64) as u32
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
