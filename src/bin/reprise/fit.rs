//! `reprise fit`: the rendering as the plugin would play it against a picture's hits — the live
//! engine driven as a host would drive it (Follow transport, the song's tempo map, its seconds
//! timeline), recorded, and written with that tempo map. Each hit's landing is reported.

use std::io::Write;
use std::path::Path;

use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::event::{Event, EventKind};
use reprise::engine::event_buffer::EventBuffer;
use reprise::engine::hit_lock::HitOutcome;
use reprise::engine::hits::Lands;
use reprise::engine::midi_file::{motif_from_performance, write_tracks_in_map, ExportTrack};
use reprise::engine::motif::{Motif, Note};
use reprise::engine::picture::Picture;
use reprise::engine::playback::{
    BlockInfo, LiveCapture, LiveEngine, LiveSettings, PlaybackMode, TransportInfo,
    MAX_OUT_EVENTS_PER_BLOCK,
};
use reprise::engine::rendering::CcPoint;
use reprise::engine::time_map::TimeMap;
use reprise::engine::timecode::{frames_to_seconds, parse_timecode, FrameRate};

use crate::args::{check_unit, load, same_file, track_name, write_output, Source, TEMPO_RANGE_BPM};
use crate::cut_short::refuse_cut_short;
use crate::error::{CliError, CliResult};
use crate::fill::{fill_to_length, FillArgs, FillWhat};
use crate::spot::read_hits;
use reprise::engine::fill::FillLength;

/// The host the rendering is played in: its sample rate, Hz.
const SAMPLE_RATE_HZ: f64 = 48_000.0;
/// The host's block, samples (any size gives the same result: the engine is block-split
/// invariant).
const BLOCK_SAMPLES: u32 = 512;
/// How long the song plays past the last hit: the statement that lands there, and its ring
/// (bars of the song's metre, beyond the rendering's length).
const RING_BARS: f64 = 1.0;
/// The longest song `fit` plays, seconds (a spotting list spans a cue, not a film).
const MAX_SONG_SECONDS: f64 = 3600.0;

/// What `reprise fit` was asked.
pub struct FitArgs<'a> {
    pub file: &'a Path,
    pub character: Character,
    pub intensity: f64,
    pub hits: Option<&'a Path>,
    pub rate: Option<FrameRate>,
    pub start_tc: Option<&'a str>,
    /// Fill to this length (issue 25) instead of landing hits.
    pub length: Option<FillLength>,
    /// Fill each of these lengths into a folder.
    pub cutdowns: Option<Vec<FillLength>>,
    /// With cutdowns: a sting too.
    pub sting: bool,
    /// Open each fill with a pickup before its first downbeat.
    pub pickup: bool,
    /// How far a fill may change the tempo to make whole bars (fraction).
    pub allow_tempo_ratio: f64,
    /// How long a button on an `end` hit rings after the cut, bars.
    pub ring_bars: f64,
    pub tempo_bpm: Option<f64>,
    pub tempo_map: Option<&'a Path>,
    pub output: &'a Path,
    pub source: Source,
}

pub fn fit(out: &mut dyn Write, args: &FitArgs) -> CliResult {
    check_unit("--intensity", args.intensity)?;
    for input in [Some(args.file), args.hits, args.tempo_map]
        .into_iter()
        .flatten()
    {
        if same_file(input, args.output) {
            return Err(CliError::usage(format!(
                "the output {} is an input; choose another file",
                args.output.display()
            )));
        }
    }
    if args.sting && args.cutdowns.is_none() {
        return Err(CliError::usage("--sting goes with --cutdowns"));
    }
    let hit_source = match (args.hits, args.rate) {
        (Some(hits), Some(rate)) => Some((hits, rate)),
        (Some(_), None) => {
            return Err(CliError::usage(
                "--hits needs the picture's frame rate: --fps 24 (23.976, 25, 29.97df …)",
            ))
        }
        (None, _) => None,
    };
    let performance = load(args.file, args.source)?;
    refuse_cut_short(args.file, &performance, Some("fitting"))?;
    let motif = motif_from_performance(&performance);
    if motif.is_empty() {
        return Err(CliError::failed(format!(
            "{}: no notes to render",
            args.file.display()
        )));
    }
    let filling = args.length.is_some() || args.cutdowns.is_some();
    let time_map = match (args.tempo_bpm, args.tempo_map) {
        (Some(tempo), None) => {
            if !TEMPO_RANGE_BPM.contains(&tempo) {
                return Err(CliError::usage(format!(
                    "--tempo {tempo}: give {}-{} BPM",
                    TEMPO_RANGE_BPM.start(),
                    TEMPO_RANGE_BPM.end()
                )));
            }
            TimeMap::constant(motif.time_signature, tempo)
        }
        (None, Some(path)) => {
            let map = load(
                path,
                Source {
                    track_number: None,
                    include_drums: false,
                },
            )?;
            refuse_cut_short(path, &map, Some("its tempo map"))?;
            map.time_map
        }
        // A fill plays at the motif's own tempo unless told otherwise.
        _ if filling || hit_source.is_none() => {
            TimeMap::constant(motif.time_signature, motif.tempo_bpm)
        }
        _ => {
            return Err(CliError::usage(
                "give the song's tempo: --tempo BPM or --tempo-map MAP.mid",
            ))
        }
    };
    let fill_what = |length: Option<FillLength>| match (&args.cutdowns, length) {
        (Some(lengths), _) => Some(FillWhat::Cutdowns {
            lengths: lengths.clone(),
            sting: args.sting,
        }),
        (None, Some(length)) => Some(FillWhat::One(length)),
        (None, None) => None,
    };
    let inputs: Vec<&Path> = [Some(args.file), args.hits, args.tempo_map]
        .into_iter()
        .flatten()
        .collect();
    let fill_args = |what: FillWhat| FillArgs {
        motif: &motif,
        character: args.character,
        intensity: args.intensity,
        tempo_map: time_map.tempo_changes().to_vec(),
        allow_tempo_ratio: args.allow_tempo_ratio,
        what,
        output: args.output,
        inputs: &inputs,
        pickup: args.pickup,
    };
    if let Some(what) = fill_what(args.length) {
        if let Some((hits, _)) = hit_source {
            writeln!(
                out,
                "{}: not used — a fill to a length or cutdowns lands no hits (give --hits alone \
                 to land them, or an `end` hit to end on a cut)",
                hits.display()
            )?;
        }
        return fill_to_length(out, &fill_args(what));
    }
    let Some((hits_path, rate)) = hit_source else {
        return Err(CliError::usage(
            "give what to fit: --length 23.4s|12bars, --cutdowns 60,30,15 or --hits HITS.csv",
        ));
    };
    let start_frame = match args.start_tc {
        Some(text) => parse_timecode(text, rate)
            .map_err(|e| CliError::usage(format!("--start-tc {text}: {e}")))?,
        None => 0,
    };
    if args.pickup {
        return Err(CliError::usage(
            "--pickup goes with --length or --cutdowns: a fill landed on hits keeps the song's \
             zero where the hits are",
        ));
    }
    let hits = read_hits(hits_path, rate, start_frame)?;
    // An `end` hit is a fill's target: the variation ends on the cut.
    if let Some(end) = hits.iter().find(|h| h.lands == Lands::End) {
        let seconds = frames_to_seconds(end.frame, rate);
        writeln!(
            out,
            "{} {} (end): the fill's button starts on this cut; other hits are not landed in a fill",
            Picture {
                rate,
                start_frame,
                ..Picture::default()
            }
            .timecode_of(end.frame)
            .display(rate),
            end.name
        )?;
        return fill_to_length(
            out,
            &fill_args(FillWhat::One(FillLength::ButtonAt {
                seconds,
                ring_bars: args.ring_bars,
            })),
        );
    }
    let picture = Picture {
        rate,
        start_frame,
        hits,
        // The song's map goes to hit lock whole (`play`), not as a picture's 64 tempos.
        ..Picture::default()
    };
    let played = play(&motif, args, &picture, &time_map);
    let name = track_name(args.character);
    let bytes = write_tracks_in_map(
        &[ExportTrack {
            name: &name,
            notes: &played.notes,
            ccs: &played.ccs,
            programs: &[],
        }],
        &time_map,
        motif.key(),
    );
    if played.notes.is_empty() {
        return Err(CliError::failed(
            "the rendering played no notes against these hits; nothing written",
        ));
    }
    write_output(args.output, &bytes)?;
    for (index, hit) in picture.hits.iter().enumerate() {
        let timecode = picture.timecode_of(hit.frame).display(picture.rate);
        let landing = match (hit.lands, played.outcomes[index]) {
            (_, (HitOutcome::Locked, _)) => "lands on the frame".to_string(),
            (_, (HitOutcome::Missed { .. }, Some(seconds))) => {
                let frames = (seconds * picture.rate.fps()).round();
                format!(
                    "lands {} frame(s) {} (the push it needs exceeds 10 %)",
                    frames.abs(),
                    if frames < 0.0 { "early" } else { "late" }
                )
            }
            (_, (HitOutcome::Conflict, _)) => {
                "not landed: an earlier `must` hit takes its statement".to_string()
            }
            (_, (HitOutcome::Guarded, _)) => {
                "ignored: within 2 s of the stinger before".to_string()
            }
            _ => "not landed".to_string(),
        };
        writeln!(
            out,
            "{timecode} {} ({}, {}): {landing}",
            hit.name,
            hit.lands.name(),
            hit.importance.name()
        )?;
    }
    writeln!(
        out,
        "{}: {} notes over {:.1} s -> {}",
        args.character.name(),
        played.notes.len(),
        played.seconds,
        args.output.display()
    )?;
    Ok(())
}

/// What the engine played: notes and controllers in song beats, each hit's outcome with its
/// miss in seconds, and how long the song ran.
struct Played {
    notes: Vec<Note>,
    ccs: Vec<CcPoint>,
    outcomes: Vec<(HitOutcome, Option<f64>)>,
    seconds: f64,
}

/// Plays the song in the engine as a host would (Follow transport from the song's zero, the
/// tempo and metre of `time_map`, its seconds timeline) until the last hit's statement has
/// rung, then stops.
fn play(motif: &Motif, args: &FitArgs, picture: &Picture, time_map: &TimeMap) -> Played {
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(SAMPLE_RATE_HZ);
    engine.set_slot(0, motif);
    engine.set_picture(picture);
    // The tempo ahead is known here: hits are placed by the map, as the plugin does with an
    // imported one.
    engine.set_tempo_map(time_map.tempo_changes());
    let settings = LiveSettings {
        character: CharacterSettings {
            character: args.character,
            intensity: args.intensity,
            ..CharacterSettings::default()
        },
        playback_mode: PlaybackMode::FollowTransport,
        looping: true,
        pass_through: false,
        capture: LiveCapture::Off,
        hit_lock: true,
        ..LiveSettings::default()
    };
    let last_hit_seconds = picture
        .hits
        .iter()
        .map(|h| frames_to_seconds(h.frame, picture.rate))
        .fold(0.0, f64::max);
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut recorded: Vec<(f64, Event)> = Vec::new();
    let mut sample = 0u64;
    let mut end_seconds = f64::INFINITY;
    let mut outcomes = vec![(HitOutcome::Unplanned, None); picture.hits.len()];
    loop {
        let seconds = sample as f64 / SAMPLE_RATE_HZ;
        let playing = seconds < end_seconds;
        let beats = time_map.beats_at_seconds(seconds);
        let block = BlockInfo {
            num_samples: BLOCK_SAMPLES,
            transport: Some(TransportInfo {
                playing,
                tempo_bpm: time_map.tempo_at(beats),
                pos_beats: beats,
                pos_seconds: Some(seconds),
                time_signature: Some(time_map.metre_at(beats)),
                loop_range_beats: None,
                bar_start_beats: Some(time_map.bar_line_at_or_before(beats)),
            }),
        };
        engine.process(&block, &settings, [] as [Event; 0], &mut out);
        for event in out.as_slice() {
            let at = (sample + u64::from(event.timing_samples)) as f64 / SAMPLE_RATE_HZ;
            recorded.push((time_map.beats_at_seconds(at), *event));
        }
        out.clear();
        if !playing {
            break;
        }
        for (index, outcome) in outcomes.iter_mut().enumerate() {
            *outcome = (engine.hit_outcome(index), engine.hit_miss_seconds(index));
        }
        if end_seconds.is_infinite() {
            // The statement that lands on the last hit, and a bar of ring, at the tempo there.
            let length = engine.rendering().length_beats;
            let at_last = time_map.beats_at_seconds(last_hit_seconds);
            let bar = time_map.metre_at(at_last).bar_length_beats();
            let beats_after = length + RING_BARS * bar;
            end_seconds = time_map
                .seconds_at(at_last + beats_after)
                .max(time_map.seconds_at(length))
                .min(MAX_SONG_SECONDS);
        }
        sample += u64::from(BLOCK_SAMPLES);
    }
    let (notes, ccs) = as_notes(&recorded);
    Played {
        notes,
        ccs,
        outcomes,
        seconds: end_seconds,
    }
}

/// The recorded events as notes (each note-on paired with the next end of its key on its
/// channel) and controller points, in song beats.
fn as_notes(recorded: &[(f64, Event)]) -> (Vec<Note>, Vec<CcPoint>) {
    let mut notes: Vec<Note> = Vec::new();
    let mut open: Vec<(usize, u8, u8)> = Vec::new();
    let mut ccs = Vec::new();
    for &(beats, event) in recorded {
        match event.kind {
            EventKind::NoteOn {
                channel,
                key,
                velocity,
                ..
            } if velocity > 0.0 => {
                open.push((notes.len(), channel, key));
                notes.push(Note {
                    start_beats: beats,
                    length_beats: 0.0,
                    key,
                    velocity,
                    channel,
                });
            }
            EventKind::NoteOn { channel, key, .. } | EventKind::NoteOff { channel, key, .. } => {
                if let Some(i) = open.iter().position(|o| o.1 == channel && o.2 == key) {
                    let (index, _, _) = open.remove(i);
                    let note = &mut notes[index];
                    note.length_beats = (beats - note.start_beats).max(1e-6);
                }
            }
            EventKind::ControlChange { channel, cc, value } => ccs.push(CcPoint {
                lead_seconds: 0.0,
                beats,
                channel,
                cc,
                value,
            }),
            _ => {}
        }
    }
    notes.retain(|n| n.length_beats > 0.0);
    (notes, ccs)
}
