//! Live playback through a real CLAP host: follow transport (three tempos, a tempo change, a
//! loop wrap inside a block), key trigger, automation of character and slot at a given sample,
//! state save/load in the middle of playback, capture from played notes. Timing tolerance:
//! exact (the sample an event's beat implies, rounded up to the next whole sample).

use std::collections::BTreeSet;

use reprise::engine::character::{render, Character, CharacterSettings};
use reprise::engine::event::CC_SUSTAIN;
use reprise::engine::motif::Motif;
use reprise::engine::rendering::Rendering;

use crate::host::{
    assert_balanced, library_of, motif, param_id, saved_library, transport, transport_in_metre,
    InEvent, InKind, Layout, OutEvent, OutKind, PluginUnderTest, Rng,
};

const SAMPLE_RATE: f64 = 48_000.0;

/// A one-bar motif in C major, 4/4 at 120 BPM.
fn motif_a() -> Motif {
    motif(&[
        (0.0, 1.0, 60),
        (1.0, 0.5, 64),
        (1.5, 0.5, 65),
        (2.0, 1.0, 67),
        (3.0, 1.0, 72),
    ])
}

/// A different motif for slot switching, in A minor.
fn motif_b() -> Motif {
    motif(&[
        (0.0, 0.5, 69),
        (0.5, 0.5, 71),
        (1.0, 1.0, 72),
        (2.0, 2.0, 76),
    ])
}

/// Loads `slots` (and parameter overrides) into `plugin` as a host restoring a project would.
fn load_library(
    plugin: &mut PluginUnderTest,
    slots: &[(usize, &Motif)],
    params: &[(&str, serde_json::Value)],
) {
    plugin.load_library(library_of(slots), params);
}

/// Played notes on channel 1 as (on sample, off sample, key), velocity 0.7, sorted by time.
fn played(notes: &[(u64, u64, u16)]) -> Vec<InEvent> {
    let mut events = Vec::new();
    for (i, &(on, off, key)) in notes.iter().enumerate() {
        let note_id = i as u32;
        events.push(InEvent {
            time_samples: on,
            kind: InKind::NoteOn {
                channel: 0,
                key,
                velocity: 0.7,
                note_id,
            },
        });
        events.push(InEvent {
            time_samples: off,
            kind: InKind::NoteOff {
                channel: 0,
                key,
                note_id,
            },
        });
    }
    events.sort_by_key(|e| e.time_samples);
    events
}

fn character_settings(character: Character, tempo: f64) -> CharacterSettings {
    CharacterSettings {
        character,
        playback_tempo_bpm: Some(tempo),
        ..CharacterSettings::default()
    }
}

fn rendering_of(motif: &Motif, settings: &CharacterSettings) -> Rendering {
    let mut out = Rendering::new();
    render(motif, settings, &mut out);
    out
}

/// The first sample whose beat is at or after `beats`, on a constant-tempo timeline starting at
/// beat 0 on sample 0 (within 1/100 sample: the host's song position is fixed point).
fn sample_of(beats: f64, tempo: f64) -> u64 {
    (beats * 60.0 * SAMPLE_RATE / tempo - 0.01).ceil() as u64
}

/// Note-ons as (sample, channel, key).
type NoteOns = BTreeSet<(u64, i16, i16)>;
/// Controllers as (sample, channel, cc, value).
type Controllers = BTreeSet<(u64, u8, u8, u8)>;

/// Note-ons of an output.
fn note_ons(out: &[OutEvent]) -> NoteOns {
    out.iter()
        .filter_map(|e| match e.kind {
            OutKind::NoteOn { channel, key, .. } => Some((e.time_samples, channel, key)),
            _ => None,
        })
        .collect()
}

/// Controller events other than the pedal, as (sample, channel, cc, value).
fn controllers(out: &[OutEvent]) -> Controllers {
    out.iter()
        .filter_map(|e| match e.kind {
            OutKind::Midi { bytes } if bytes[0] & 0xF0 == 0xB0 && bytes[1] != CC_SUSTAIN => {
                Some((e.time_samples, bytes[0] & 0x0F, bytes[1], bytes[2]))
            }
            _ => None,
        })
        .collect()
}

/// Expected note-ons and controllers of a looping rendering locked to beat 0, in [from, to).
fn expected_loop(
    rendering: &Rendering,
    sample_at: impl Fn(f64) -> u64,
    from: u64,
    to: u64,
    max_beats: f64,
) -> (NoteOns, Controllers) {
    let mut ons = BTreeSet::new();
    let mut ccs = BTreeSet::new();
    let length = rendering.length_beats;
    let mut cycle = 0.0;
    while cycle * length < max_beats {
        for note in &rendering.notes {
            let sample = sample_at(cycle * length + note.start_beats);
            if (from..to).contains(&sample) {
                ons.insert((sample, note.channel as i16, note.key as i16));
            }
        }
        for point in &rendering.ccs {
            let sample = sample_at(cycle * length + point.beats);
            if point.cc != CC_SUSTAIN && (from..to).contains(&sample) {
                ccs.insert((
                    sample,
                    point.channel,
                    point.cc,
                    (point.value.clamp(0.0, 1.0) * 127.0).round() as u8,
                ));
            }
        }
        cycle += 1.0;
    }
    (ons, ccs)
}

/// Runs a follow-transport performance and stops the transport at the end, so every note must
/// have ended.
fn run_follow(
    plugin: &mut PluginUnderTest,
    end: u64,
    tempo_at: impl Fn(u64) -> (f64, f64),
    seed: u64,
) -> Vec<OutEvent> {
    let mut rng = Rng::new(seed);
    let mut out = plugin.run_with_transport(
        &[],
        end,
        || rng.range(1, 4096) as usize,
        |sample| {
            let (beats, tempo) = tempo_at(sample);
            Some(transport(beats, tempo, true, None))
        },
    );
    let (beats, tempo) = tempo_at(end);
    out.extend(plugin.run_with_transport(
        &[],
        end + 64,
        || 64,
        |_| Some(transport(beats, tempo, false, None)),
    ));
    out
}

#[test]
fn follow_transport_puts_every_event_at_the_sample_its_beat_implies() {
    for (tempo, character, seed) in [
        (90.0, Character::Swell, 1),
        (120.0, Character::Piano, 2),
        (137.0, Character::Swell, 3),
    ] {
        let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
        let name = character.name();
        load_library(
            &mut plugin,
            &[(0, &motif_a())],
            &[("character", serde_json::json!({"string": name}))],
        );
        let rendering = rendering_of(&motif_a(), &character_settings(character, tempo));
        let end = sample_of(rendering.length_beats * 2.5, tempo);
        let out = run_follow(
            &mut plugin,
            end,
            |s| (s as f64 * tempo / 60.0 / SAMPLE_RATE, tempo),
            seed,
        );
        let (ons, ccs) = expected_loop(
            &rendering,
            |b| sample_of(b, tempo),
            0,
            end,
            rendering.length_beats * 3.0,
        );
        let context = format!("{tempo} BPM {name}");
        assert!(ons.len() >= 10, "{context}: too few notes to mean anything");
        assert_eq!(note_ons(&out), ons, "{context}: note-ons");
        assert_eq!(controllers(&out), ccs, "{context}: controllers");
        assert_balanced(&out, &context);
    }
}

#[test]
fn a_tempo_change_between_blocks_moves_later_events_exactly() {
    // 120 BPM for 8 beats (192 000 samples), then 96 BPM; the host splits its blocks there.
    let change = 192_000u64;
    let beats_at = |s: u64| {
        if s <= change {
            s as f64 / 24_000.0
        } else {
            8.0 + (s - change) as f64 * 96.0 / 60.0 / SAMPLE_RATE
        }
    };
    let sample_at = |b: f64| {
        if b <= 8.0 {
            sample_of(b, 120.0)
        } else {
            change + sample_of(b - 8.0, 96.0)
        }
    };
    let mut plugin = PluginUnderTest::start(Layout::Stereo, SAMPLE_RATE, 4096);
    load_library(
        &mut plugin,
        &[(0, &motif_a())],
        &[("character", serde_json::json!({"string": "swell"}))],
    );
    let rendering = rendering_of(&motif_a(), &character_settings(Character::Swell, 120.0));
    let end = change + 240_000;
    let mut rng = Rng::new(11);
    let mut out = Vec::new();
    // Random block sizes, but a block always ends at the tempo change.
    out.extend(plugin.run_with_transport(
        &[],
        change,
        || rng.range(1, 4096) as usize,
        |s| Some(transport(beats_at(s), 120.0, true, None)),
    ));
    out.extend(plugin.run_with_transport(
        &[],
        end,
        || rng.range(1, 4096) as usize,
        |s| Some(transport(beats_at(s), 96.0, true, None)),
    ));
    out.extend(plugin.run_with_transport(
        &[],
        end + 64,
        || 64,
        |_| Some(transport(beats_at(end), 96.0, false, None)),
    ));
    let (ons, ccs) = expected_loop(&rendering, sample_at, 0, end, 64.0);
    assert_eq!(note_ons(&out), ons);
    assert_eq!(controllers(&out), ccs);
    assert_balanced(&out, "tempo change");
}

#[test]
fn a_host_loop_wrapping_inside_a_block_restarts_exactly_at_the_wrap() {
    // Loop bars 1–2 (beats 0–8 = 192 000 samples at 120 BPM); 999-sample blocks never end on it.
    let loop_samples = 192_000u64;
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
    let two_bars = motif(&[
        (0.0, 1.0, 60),
        (2.0, 1.0, 62),
        (4.0, 1.0, 64),
        (6.0, 1.5, 65),
        (7.5, 0.5, 67),
    ]);
    load_library(
        &mut plugin,
        &[(0, &two_bars)],
        &[("character", serde_json::json!({"string": "piano"}))],
    );
    let rendering = rendering_of(&two_bars, &character_settings(Character::Piano, 120.0));
    assert!(
        rendering.length_beats > 8.0,
        "the rendering is longer than the loop"
    );
    let passes = 3;
    let end = loop_samples * passes;
    let host_beats = |s: u64| (s % loop_samples) as f64 / 24_000.0;
    let mut out = plugin.run_with_transport(
        &[],
        end,
        || 999,
        |s| Some(transport(host_beats(s), 120.0, true, Some((0.0, 8.0)))),
    );
    out.extend(plugin.run_with_transport(
        &[],
        end + 64,
        || 64,
        |_| Some(transport(0.0, 120.0, false, None)),
    ));
    let mut expected = BTreeSet::new();
    for pass in 0..passes {
        for note in rendering.notes.iter().filter(|n| n.start_beats < 8.0) {
            expected.insert((
                pass * loop_samples + sample_of(note.start_beats, 120.0),
                note.channel as i16,
                note.key as i16,
            ));
        }
    }
    assert_eq!(note_ons(&out), expected);
    // Whatever sounded at the wrap ends exactly there.
    for pass in 1..passes {
        let wrap = pass * loop_samples;
        let offs_at_wrap = out
            .iter()
            .filter(|e| e.time_samples == wrap && matches!(e.kind, OutKind::NoteOff { .. }))
            .count();
        assert!(
            offs_at_wrap >= 1,
            "a note rings across the loop point; it must end at sample {wrap}"
        );
    }
    assert_balanced(&out, "loop wrap");
}

fn key_trigger_run(trigger: &str, press_key: u16) -> (Vec<OutEvent>, u64, u64) {
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
    load_library(
        &mut plugin,
        &[(0, &motif_a())],
        &[
            ("playback", serde_json::json!({"string": "trigger"})),
            ("trigger_transpose", serde_json::json!({"string": trigger})),
            ("character", serde_json::json!({"string": "piano"})),
            // The note played outside the trigger range would otherwise become the new motif.
            ("capture_mode", serde_json::json!({"string": "off"})),
        ],
    );
    let (press, release) = (10_007u64, 30_013u64);
    let events = [
        InEvent {
            time_samples: press,
            kind: InKind::NoteOn {
                channel: 0,
                key: press_key,
                velocity: 0.8,
                note_id: 1,
            },
        },
        InEvent {
            time_samples: 20_000,
            kind: InKind::NoteOn {
                channel: 0,
                key: 84,
                velocity: 0.8,
                note_id: 2,
            },
        },
        InEvent {
            time_samples: 30_000,
            kind: InKind::NoteOff {
                channel: 0,
                key: 84,
                note_id: 2,
            },
        },
        InEvent {
            time_samples: release,
            kind: InKind::NoteOff {
                channel: 0,
                key: press_key,
                note_id: 1,
            },
        },
    ];
    let mut rng = Rng::new(5);
    // No transport: the plugin's own tempo (120 BPM by default).
    let out = plugin.run(&events, 240_000, || rng.range(1, 4096) as usize);
    (out, press, release)
}

#[test]
fn key_trigger_starts_transposed_at_the_key_and_stops_at_release() {
    for (mode, shift) in [("chromatic", (-17, 0)), ("diatonic", (0, -10))] {
        // G2 (43) against the motif's tonic C4 (60): −17 semitones, or −10 scale steps in C major.
        let (out, press, release) = key_trigger_run(mode, 43);
        let settings = CharacterSettings {
            transpose_semitones: shift.0,
            transpose_steps: shift.1,
            ..character_settings(Character::Piano, 120.0)
        };
        let rendering = rendering_of(&motif_a(), &settings);
        let expected: BTreeSet<(u64, i16, i16)> = rendering
            .notes
            .iter()
            .map(|n| {
                (
                    press + sample_of(n.start_beats, 120.0),
                    n.channel as i16,
                    n.key as i16,
                )
            })
            .filter(|&(s, _, _)| s < release)
            .chain([(20_000, 0, 84)])
            .collect();
        assert_eq!(note_ons(&out), expected, "{mode}");
        assert!(
            !note_ons(&out).contains(&(press, 0, 43)),
            "{mode}: the trigger key is not passed through"
        );
        assert!(
            out.iter()
                .all(|e| !(e.time_samples > release && matches!(e.kind, OutKind::NoteOn { .. }))),
            "{mode}: nothing after release"
        );
        let offs_at_release = out
            .iter()
            .filter(|e| e.time_samples == release && matches!(e.kind, OutKind::NoteOff { .. }))
            .count();
        assert!(
            offs_at_release >= 1,
            "{mode}: the sounding note ends at the release"
        );
        assert_balanced(&out, mode);
    }
}

#[test]
fn automating_character_or_slot_switches_at_that_exact_sample() {
    let tempo = 120.0;
    let switch = 100_003u64;
    for (param, value, after) in [
        ("Character", 2.0, "distant"),
        ("Slot", 1.0, "slot 2"),
        ("Bypass", 1.0, "bypass"),
    ] {
        let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
        load_library(
            &mut plugin,
            &[(0, &motif_a()), (1, &motif_b())],
            &[("character", serde_json::json!({"string": "swell"}))],
        );
        let id = param_id(plugin.instance(), param);
        let events = [InEvent {
            time_samples: switch,
            kind: InKind::Param {
                param_id: id,
                value,
            },
        }];
        let end = 300_000;
        let mut rng = Rng::new(9);
        let mut out = plugin.run_with_transport(
            &events,
            end,
            || rng.range(1, 4096) as usize,
            |s| {
                Some(transport(
                    s as f64 * tempo / 60.0 / SAMPLE_RATE,
                    tempo,
                    true,
                    None,
                ))
            },
        );
        out.extend(plugin.run_with_transport(
            &[],
            end + 64,
            || 64,
            |_| Some(transport(end as f64 / 24_000.0, tempo, false, None)),
        ));
        let before = rendering_of(&motif_a(), &character_settings(Character::Swell, tempo));
        let later = match after {
            "distant" => rendering_of(&motif_a(), &character_settings(Character::Distant, tempo)),
            "slot 2" => rendering_of(&motif_b(), &character_settings(Character::Swell, tempo)),
            // Bypassed: nothing more from the rendering.
            _ => Rendering::new(),
        };
        let (mut ons, _) = expected_loop(&before, |b| sample_of(b, tempo), 0, switch, 64.0);
        if !later.notes.is_empty() {
            ons.extend(expected_loop(&later, |b| sample_of(b, tempo), switch, end, 64.0).0);
        }
        assert_eq!(note_ons(&out), ons, "{after}");
        let offs_at_switch = out
            .iter()
            .filter(|e| e.time_samples == switch && matches!(e.kind, OutKind::NoteOff { .. }))
            .count();
        assert!(
            offs_at_switch >= 1,
            "{after}: the Swell notes sounding at the switch end there"
        );
        assert_balanced(&out, after);
    }
}

#[test]
fn state_saved_mid_playback_and_loaded_elsewhere_plays_the_same() {
    let tempo = 120.0;
    let middle = 130_001u64;
    let end = 400_000u64;
    let beats = |s: u64| s as f64 * tempo / 60.0 / SAMPLE_RATE;
    let mut first = PluginUnderTest::start(Layout::Stereo, SAMPLE_RATE, 4096);
    load_library(
        &mut first,
        &[(0, &motif_a())],
        &[
            ("character", serde_json::json!({"string": "swell"})),
            ("intensity", serde_json::json!({"f32": 0.9})),
        ],
    );
    let mut out_first = first.run_with_transport(
        &[],
        middle,
        || 1000,
        |s| Some(transport(beats(s), tempo, true, None)),
    );
    let saved = first.save_state();
    out_first.extend(first.run_with_transport(
        &[],
        end,
        || 1000,
        |s| Some(transport(beats(s), tempo, true, None)),
    ));

    let mut second = PluginUnderTest::start(Layout::Stereo, SAMPLE_RATE, 4096);
    assert!(second.load_state(&saved));
    // The second instance joins at `middle` (as a DAW reopening the project there).
    let _ = second.run_with_transport(&[], 0, || 1000, |_| None);
    let offset = middle;
    let out_second: Vec<OutEvent> = {
        let mut rng = Rng::new(4);
        second
            .run_with_transport(
                &[],
                end - middle,
                || rng.range(1, 4096) as usize,
                |s| Some(transport(beats(s + offset), tempo, true, None)),
            )
            .into_iter()
            .map(|e| OutEvent {
                time_samples: e.time_samples + offset,
                ..e
            })
            .collect()
    };
    // Playback resumes at the next bar line after `middle`; from there both are identical.
    let next_bar = sample_of((beats(middle) / 4.0).ceil() * 4.0, tempo);
    let from_bar = |out: &[OutEvent]| -> Vec<OutEvent> {
        out.iter()
            .filter(|e| e.time_samples >= next_bar && !matches!(e.kind, OutKind::NoteOff { .. }))
            .copied()
            .collect()
    };
    assert!(
        note_ons(&out_second).iter().all(|&(s, _, _)| s >= next_bar),
        "nothing starts before the next bar"
    );
    let (a, b) = (from_bar(&out_first), from_bar(&out_second));
    assert!(a.len() > 10);
    assert_eq!(a, b);
}

#[test]
fn a_played_phrase_is_captured_and_played_back_from_the_next_bar() {
    let tempo = 120.0;
    let beats = |s: u64| s as f64 * tempo / 60.0 / SAMPLE_RATE;
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
    // Played: C E G, a beat each, from beat 1 of bar 1.
    let events = played(&[(0, 20_000, 60), (24_000, 44_000, 64), (48_000, 68_000, 67)]);
    let end = 24_000 * 16;
    let mut rng = Rng::new(2);
    let mut out = plugin.run_with_transport(
        &events,
        end,
        || rng.range(1, 2048) as usize,
        |s| Some(transport(beats(s), tempo, true, None)),
    );
    out.extend(plugin.run_with_transport(
        &[],
        end + 64,
        || 64,
        |_| Some(transport(beats(end), tempo, false, None)),
    ));
    // The phrase ends 2 beats after the last release (beat 2.83 → 4.83); the rendering starts
    // at the next bar line, beat 8 (sample 192 000), and is the Piano rendering of what was
    // played.
    let played: Vec<_> = note_ons(&out)
        .into_iter()
        .filter(|&(s, _, _)| s < 72_000)
        .collect();
    assert_eq!(played.len(), 3, "pass-through of the played notes");
    let rendered: Vec<_> = note_ons(&out)
        .into_iter()
        .filter(|&(s, _, _)| s >= 72_000)
        .collect();
    assert!(
        !rendered.is_empty() && rendered[0].0 >= 192_000,
        "{rendered:?}"
    );
    let library = saved_library(&plugin.save_state());
    let keys: Vec<u64> = library["slots"][0]["motif"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["key"].as_u64().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec![60, 64, 67],
        "the captured motif is in slot 1 of the saved state"
    );
    assert_balanced(&out, "capture");
}

/// Issue 21, as Ardour 7 presents its first roll: at the first block every MIDI-mapped
/// controller of every channel arrives at 64 (Ardour writes every VST3 parameter on load; the
/// sustain pedal among them), and the host's bar start is the *next* bar line. The phrase played
/// in bars 1–2 must still be captured while the transport rolls and come in at the next bar
/// line after its silence gap (last release at beat 7, gap 2: bar line 12), and no swept
/// controller is passed on to the instrument.
#[test]
fn a_phrase_captured_in_ardours_first_roll_plays_in_that_roll() {
    let tempo = 120.0;
    let spb = 24_000u64; // samples per beat at 120 BPM, 48 kHz
    let beats = |s: u64| s as f64 / spb as f64;
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 1024);
    let mut events: Vec<InEvent> = Vec::new();
    for channel in 0..16u8 {
        for cc in 0..128u8 {
            events.push(InEvent {
                time_samples: 0,
                kind: InKind::Midi {
                    bytes: [0xB0 | channel, cc, 64],
                },
            });
        }
    }
    let notes: Vec<(u64, u64, u16)> = crate::first_take::PHRASE
        .iter()
        .map(|&(start, length, key)| {
            let on = (start * spb as f64) as u64;
            (
                on.max(1),
                ((start + length) * spb as f64) as u64 - 1,
                u16::from(key),
            )
        })
        .collect();
    events.extend(played(&notes));
    events.sort_by_key(|e| e.time_samples);
    let ardour = |s: u64| {
        let mut t = transport(beats(s), tempo, true, None);
        // Ardour's barPositionMusic: the next bar line.
        let next_bar = ((beats(s) / 4.0).floor() + 1.0) * 4.0;
        t.bar_start = clack_host::utils::BeatTime::from_float(next_bar);
        Some(t)
    };
    let out = plugin.run_with_transport(&events, 24 * spb, || 1024, ardour);
    let rendered: Vec<_> = note_ons(&out)
        .into_iter()
        .filter(|&(s, _, _)| s >= 8 * spb)
        .collect();
    assert!(
        rendered.first().is_some_and(|&(s, _, _)| s == 12 * spb),
        "the rendering does not come in at beat 12 of the capturing roll: {rendered:?}"
    );
    assert!(
        controllers(&out)
            .iter()
            .all(|c| c.2 != 0 && c.2 != 7 && c.2 < 120),
        "a swept bank select, volume or channel-mode message reached the output"
    );
}

#[test]
fn a_phrase_played_while_the_host_is_stopped_is_captured_and_plays_when_it_starts() {
    let tempo = 100.0;
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
    let beat = (60.0 * SAMPLE_RATE / tempo) as u64; // 28 800 samples
    let mut events = Vec::new();
    for (i, key) in [62u16, 65, 69, 74].into_iter().enumerate() {
        let on = 1_000 + i as u64 * beat / 2;
        events.push(InEvent {
            time_samples: on,
            kind: InKind::NoteOn {
                channel: 0,
                key,
                velocity: 0.6,
                note_id: i as u32,
            },
        });
        events.push(InEvent {
            time_samples: on + beat / 3,
            kind: InKind::NoteOff {
                channel: 0,
                key,
                note_id: i as u32,
            },
        });
    }
    // Stopped at bar 5 for 6 beats: the phrase (2 beats long) ends 2 beats after its last note.
    let stopped = beat * 6;
    let mut out = plugin.run_with_transport(
        &events,
        stopped,
        || 512,
        |_| Some(transport(16.0, tempo, false, None)),
    );
    let library = saved_library(&plugin.save_state());
    let notes = library["slots"][0]["motif"]["notes"]
        .as_array()
        .expect("captured while stopped")
        .clone();
    let lengths: Vec<f64> = notes
        .iter()
        .map(|n| n["length_beats"].as_f64().unwrap())
        .collect();
    assert_eq!(notes.len(), 4);
    assert!(
        lengths.iter().all(|&l| (l - 1.0 / 3.0).abs() < 1e-3),
        "played lengths kept: {lengths:?}"
    );
    assert!(
        note_ons(&out).len() == 4,
        "only the played notes while stopped"
    );
    // Play from bar 5: the Piano rendering comes in right away (bar line).
    let start = plugin.now_samples;
    out.extend(plugin.run_with_transport(
        &[],
        start + beat * 8,
        || 512,
        |s| {
            Some(transport(
                16.0 + (s - start) as f64 / beat as f64,
                tempo,
                true,
                None,
            ))
        },
    ));
    let end = plugin.now_samples;
    out.extend(plugin.run_with_transport(
        &[],
        end + 64,
        || 64,
        |_| Some(transport(24.0, tempo, false, None)),
    ));
    let rendered: Vec<_> = note_ons(&out)
        .into_iter()
        .filter(|&(s, _, _)| s >= start)
        .collect();
    assert!(rendered.len() >= 4, "{rendered:?}");
    assert_balanced(&out, "stopped capture");
}

/// Loads motif A into slot 1 with the Swell character (for tests in other modules).
pub fn load_demo_library(plugin: &mut PluginUnderTest) {
    load_library(
        plugin,
        &[(0, &motif_a())],
        &[("character", serde_json::json!({"string": "swell"}))],
    );
}

/// A phrase played in a 3/4 song at 90 BPM is captured in 3/4 at 90 BPM, aligned to that song's
/// bar lines (it used to be stored as 4/4 at 120 BPM).
#[test]
fn a_phrase_played_in_three_four_at_90_bpm_is_kept_in_three_four_at_90_bpm() {
    let tempo = 90.0;
    let samples_per_beat = (60.0 * SAMPLE_RATE / tempo) as u64; // 32 000
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 1024);
    // From beat 2 of bar 2 (song beat 4): D F A, half a beat each, the A held a bar.
    let beats_to_samples = |beats: f64| (beats * samples_per_beat as f64) as u64;
    let events = played(&[
        (beats_to_samples(4.0), beats_to_samples(4.5), 62),
        (beats_to_samples(4.5), beats_to_samples(5.0), 65),
        (beats_to_samples(5.0), beats_to_samples(8.0), 69),
    ]);
    let end = samples_per_beat * 14;
    let mut rng = Rng::new(34);
    let mut out = plugin.run_with_transport(
        &events,
        end,
        || rng.range(1, 1024) as usize,
        |s| {
            Some(transport_in_metre(
                s as f64 / samples_per_beat as f64,
                tempo,
                true,
                None,
                (3, 4),
            ))
        },
    );
    let stopped = transport_in_metre(14.0, tempo, false, None, (3, 4));
    out.extend(plugin.run_with_transport(&[], end + 64, || 64, |_| Some(stopped)));
    assert_balanced(&out, "3/4 capture");
    let library = saved_library(&plugin.save_state());
    let motif = &library["slots"][0]["motif"];
    assert_eq!(
        motif["time_signature"],
        serde_json::json!([3, 4]),
        "{motif}"
    );
    assert_eq!(motif["tempo_bpm"], serde_json::json!(90.0));
    // The bar line before the first note is song beat 3: the upbeat stays one beat in.
    let first = motif["notes"][0]["start_beats"].as_f64().unwrap();
    assert!((first - 1.0).abs() < 1e-6, "{motif}");
    // 1 + 0.5 + 0.5 + 3 beats → ends at beat 5 of the motif: two 3/4 bars.
    assert_eq!(motif["length_beats"], serde_json::json!(6.0));
}

/// A metre change mid-song through the built plugin: three bars of 4/4, then 7/8 from beat 12
/// (the host's bar start and bar number follow the change). A phrase played half a beat into
/// the second 7/8 bar (song beat 16) is saved in 7/8, starting half a beat into its bar: the
/// bar line is 15.5, not 14 (7/8 bars counted from beat 0).
#[test]
fn a_phrase_after_a_metre_change_is_aligned_to_the_new_bars() {
    let tempo = 120.0;
    let samples_per_beat = (60.0 * SAMPLE_RATE / tempo) as u64; // 24 000
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 1024);
    let beats_to_samples = |beats: f64| (beats * samples_per_beat as f64) as u64;
    let events = played(&[
        (beats_to_samples(16.0), beats_to_samples(16.5), 62),
        (beats_to_samples(16.5), beats_to_samples(17.0), 65),
        (beats_to_samples(17.0), beats_to_samples(18.0), 69),
    ]);
    let song_at = |beats: f64, playing: bool| {
        use clack_host::utils::BeatTime;
        if beats < 12.0 {
            return transport_in_metre(beats, tempo, playing, None, (4, 4));
        }
        let bars = ((beats - 12.0) / 3.5).floor();
        let mut t = transport_in_metre(beats, tempo, playing, None, (7, 8));
        t.bar_start = BeatTime::from_float(12.0 + bars * 3.5);
        t.bar_number = 3 + bars as i32;
        t
    };
    let end = samples_per_beat * 24;
    let mut rng = Rng::new(35);
    let mut out = plugin.run_with_transport(
        &events,
        end,
        || rng.range(1, 1024) as usize,
        |s| Some(song_at(s as f64 / samples_per_beat as f64, true)),
    );
    let stopped = song_at(24.0, false);
    out.extend(plugin.run_with_transport(&[], end + 64, || 64, |_| Some(stopped)));
    assert_balanced(&out, "capture after a metre change");
    let library = saved_library(&plugin.save_state());
    let motif = &library["slots"][0]["motif"];
    assert_eq!(
        motif["time_signature"],
        serde_json::json!([7, 8]),
        "{motif}"
    );
    let first = motif["notes"][0]["start_beats"].as_f64().unwrap();
    assert!((first - 0.5).abs() < 1e-6, "{motif}");
}

/// Plays the Swell rendering of `motif_a` for 16 beats in 4096-sample blocks while the host's
/// tempo goes `tempo_at(beats)` (changing inside blocks; each block reports its start tempo),
/// then stops. Returns the output.
fn play_tempo_map(tempo_at: impl Fn(f64) -> f64) -> Vec<OutEvent> {
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
    load_library(
        &mut plugin,
        &[(0, &motif_a())],
        &[
            ("character", serde_json::json!({"string": "swell"})),
            ("capture_mode", serde_json::json!({"string": "off"})),
        ],
    );
    let mut out = Vec::new();
    let mut beats = 0.0f64;
    while beats < 16.0 {
        let transport = transport(beats, tempo_at(beats), true, None);
        out.extend(plugin.process(4096, &[], Some(&transport)));
        for _ in 0..4096 {
            beats += tempo_at(beats) / 60.0 / SAMPLE_RATE;
        }
    }
    out.extend(plugin.process(64, &[], Some(&transport(beats, 60.0, false, None))));
    out
}

/// A 4-bar ritardando 120→60 BPM, with the tempo changing inside 4096-sample blocks, plays the
/// same notes as a steady tempo over the same 16 beats (it used to be taken for a jump at every
/// block: notes ended and muted to the next bar).
#[test]
fn a_ritardando_inside_large_blocks_plays_every_note() {
    let steady = play_tempo_map(|_| 120.0);
    let ritardando = play_tempo_map(|beats| 120.0 - 60.0 * (beats / 16.0).clamp(0.0, 1.0));
    assert_balanced(&steady, "steady");
    assert_balanced(&ritardando, "ritardando");
    let (steady_ons, ritardando_ons) = (note_ons(&steady), note_ons(&ritardando));
    assert!(steady_ons.len() >= 16, "{}", steady_ons.len());
    let keys = |ons: &NoteOns| ons.iter().map(|&(_, c, k)| (c, k)).collect::<Vec<_>>();
    assert_eq!(
        keys(&ritardando_ons),
        keys(&steady_ons),
        "the same notes in the same order"
    );
}
