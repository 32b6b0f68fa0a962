//! Hit lock through a real CLAP host (issue 24): the picture and its hits arrive with the
//! project's state (schema 3), the host sends its seconds timeline (`song_pos_seconds`) with a
//! tempo map that changes before the hit, and Swell's climax note-on comes out on the hit's
//! sample (±1). With the Hit lock parameter off the same note stays on the song's grid; the
//! state saved after playing still holds the picture. With an `end` hit and *Fit to end hit*
//! on (issue 25), the button (the tonic) starts on the cut's sample and nothing sounds past
//! the cut plus the ring.

use reprise::engine::character::{render, Character, CharacterSettings};
use reprise::engine::climax::climax_beats;
use reprise::engine::fill::button_tonic;
use reprise::engine::hits::{Hit, HitName, Importance, Lands};
use reprise::engine::motif::Motif;
use reprise::engine::picture::Picture;
use reprise::engine::rendering::{Rendering, Voice};
use reprise::engine::timecode::{frames_to_seconds, FrameRate};
use reprise::library_schema::{default_names, empty_slots, library_json};

use crate::host::{
    assert_balanced, motif, saved_library, transport, Layout, OutEvent, OutKind, PluginUnderTest,
    Rng,
};

const SAMPLE_RATE: f64 = 48_000.0;
/// The door slam: 00:00:18:05 at 24 fps.
const HIT_FRAME: i64 = 437;

/// Two bars rising to a peak on beat 6, 4/4.
fn theme() -> Motif {
    motif(&[
        (0.0, 1.0, 62),
        (1.0, 1.0, 64),
        (2.0, 1.0, 66),
        (3.0, 1.0, 67),
        (4.0, 1.0, 69),
        (5.0, 1.0, 71),
        (6.0, 1.0, 74),
        (7.0, 1.0, 69),
    ])
}

fn picture() -> Picture {
    picture_with(HIT_FRAME, Lands::Climax)
}

fn picture_with(frame: i64, lands: Lands) -> Picture {
    let mut picture = Picture {
        rate: FrameRate::Fps24,
        start_frame: 86_400,
        ..Picture::default()
    };
    picture.hits.push(Hit {
        frame,
        name: HitName::new("door slam"),
        lands,
        importance: Importance::Must,
    });
    picture
}

/// The tempo map: 100 BPM for 12 beats, then 108 BPM. (beats, tempo, seconds) at a sample.
fn song_at(sample: u64) -> (f64, f64, f64) {
    let seconds = sample as f64 / SAMPLE_RATE;
    let change_seconds = 12.0 * 60.0 / 100.0;
    if seconds < change_seconds {
        (seconds * 100.0 / 60.0, 100.0, seconds)
    } else {
        (
            12.0 + (seconds - change_seconds) * 108.0 / 60.0,
            108.0,
            seconds,
        )
    }
}

/// The host's transport at `sample`: beats, tempo and the seconds timeline.
fn transport_at(sample: u64, playing: bool) -> clack_host::events::event_types::TransportEvent {
    use clack_host::events::event_types::TransportFlags;
    use clack_host::utils::SecondsTime;
    let (beats, tempo, seconds) = song_at(sample);
    let mut event = transport(beats, tempo, playing, None);
    event.flags |= TransportFlags::HAS_SECONDS_TIMELINE;
    event.song_pos_seconds = SecondsTime::from_float(seconds);
    event
}

/// The climax note of Swell's rendering of the theme: (channel, key).
fn climax_note() -> (i16, i16) {
    let settings = CharacterSettings {
        character: Character::Swell,
        playback_tempo_bpm: Some(100.0),
        ..CharacterSettings::default()
    };
    let mut rendering = Rendering::new();
    render(&theme(), &settings, &mut rendering);
    let at = climax_beats(&rendering, Character::Swell).expect("a climax");
    let note = rendering
        .voice(Voice::Melody)
        .find(|n| n.start_beats == at)
        .expect("climax note");
    (i16::from(note.channel), i16::from(note.key))
}

/// Loads the theme and the picture, plays to `end` in random blocks, stops.
fn play(plugin: &mut PluginUnderTest, hit_lock: bool, end: u64, seed: u64) -> Vec<OutEvent> {
    play_picture(
        plugin,
        &picture(),
        &[("hit_lock", serde_json::json!({"bool": hit_lock}))],
        end,
        seed,
    )
}

/// Loads the theme, `picture` and Swell with `params`, plays to `end` in random blocks, stops.
fn play_picture(
    plugin: &mut PluginUnderTest,
    picture: &Picture,
    params: &[(&str, serde_json::Value)],
    end: u64,
    seed: u64,
) -> Vec<OutEvent> {
    let mut slots = empty_slots();
    slots[0] = theme();
    let mut all = vec![
        ("character", serde_json::json!({"string": "swell"})),
        ("capture_mode", serde_json::json!({"string": "off"})),
    ];
    all.extend(params.iter().cloned());
    plugin.load_library(library_json(&slots, &default_names(), picture), &all);
    let mut rng = Rng::new(seed);
    let mut out = plugin.run_with_transport(
        &[],
        end,
        || rng.range(1, 2048) as usize,
        |sample| Some(transport_at(sample, true)),
    );
    out.extend(plugin.run_with_transport(&[], end + 64, || 64, |_| Some(transport_at(end, false))));
    out
}

/// The onset of `(channel, key)` nearest `sample`: (its sample, distance).
fn nearest(out: &[OutEvent], (channel, key): (i16, i16), sample: f64) -> (u64, f64) {
    out.iter()
        .filter_map(|e| match e.kind {
            OutKind::NoteOn {
                channel: c, key: k, ..
            } if c == channel && k == key => Some(e.time_samples),
            _ => None,
        })
        .map(|at| (at, (at as f64 - sample).abs()))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("the climax sounds")
}

#[test]
fn a_climax_hit_in_the_saved_picture_lands_on_its_sample_across_a_tempo_change() {
    let hit_sample = frames_to_seconds(HIT_FRAME, FrameRate::Fps24) * SAMPLE_RATE;
    let end = (hit_sample + 4.0 * SAMPLE_RATE) as u64;
    let climax = climax_note();
    for seed in [1, 2] {
        let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
        let out = play(&mut plugin, true, end, seed);
        let (at, off_by) = nearest(&out, climax, hit_sample);
        assert!(
            off_by <= 1.0,
            "seed {seed}: climax at sample {at}, the hit is at {hit_sample:.1}"
        );
        assert_balanced(&out, "hit lock");
        // The picture is saved with the project (schema 3) and comes back unchanged.
        let library = saved_library(&plugin.save_state());
        assert_eq!(library["version"], 3);
        assert_eq!(library["picture"]["hits"][0]["frame"], HIT_FRAME);
        assert_eq!(library["picture"]["start_timecode"], "01:00:00:00");
    }
    // Hit lock off: the same note plays on the song's grid, away from the hit.
    let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
    let out = play(&mut plugin, false, end, 3);
    let (_, off_by) = nearest(&out, climax, hit_sample);
    assert!(
        off_by > 48.0,
        "without hit lock the climax should not fall on the hit by chance ({off_by} samples)"
    );
}

#[test]
fn an_end_hit_with_fit_to_end_hit_gets_the_button_on_the_cuts_sample_and_nothing_after_its_ring() {
    // The cut at 00:00:25:11 (frame 611): beat 44.87 of the map above, bar 12.2 — off the grid,
    // after the tempo change.
    let cut_frame = 611;
    let cut = frames_to_seconds(cut_frame, FrameRate::Fps24) * SAMPLE_RATE;
    let end = (cut + 4.0 * SAMPLE_RATE) as u64;
    let ring_bars = 0.5;
    let ring = ring_bars * 4.0 * 60.0 / 108.0 * SAMPLE_RATE;
    let settings = CharacterSettings {
        character: Character::Swell,
        ..CharacterSettings::default()
    };
    let tonic = button_tonic(&theme(), &settings).expect("a key") % 12;
    for seed in [4, 5] {
        let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
        let out = play_picture(
            &mut plugin,
            &picture_with(cut_frame, Lands::End),
            &[
                ("fit_end_hit", serde_json::json!({"bool": true})),
                ("end_ring", serde_json::json!({"f32": ring_bars})),
            ],
            end,
            seed,
        );
        assert_balanced(&out, "fit to end hit");
        let onsets: Vec<(u64, i16)> = out
            .iter()
            .filter_map(|e| match e.kind {
                OutKind::NoteOn { key, .. } => Some((e.time_samples, key)),
                _ => None,
            })
            .collect();
        let button: Vec<&(u64, i16)> = onsets
            .iter()
            .filter(|(at, _)| (*at as f64 - cut).abs() <= 1.0)
            .collect();
        assert!(
            !button.is_empty(),
            "seed {seed}: nothing starts on the cut's sample {cut:.1}"
        );
        assert!(
            button.iter().all(|(_, key)| (*key as u8) % 12 == tonic),
            "seed {seed}: the button is the tonic: {button:?}"
        );
        let last_onset = onsets.iter().map(|(at, _)| *at).max().unwrap();
        assert!(
            (last_onset as f64) <= cut + 1.0,
            "seed {seed}: a note starts at {last_onset}, after the button"
        );
        let last_off = out
            .iter()
            .filter(|e| matches!(e.kind, OutKind::NoteOff { .. }))
            .map(|e| e.time_samples)
            .max()
            .unwrap();
        assert!(
            (last_off as f64) <= cut + ring + 1.0,
            "seed {seed}: a note sounds until {last_off}, past the cut plus the ring ({:.1})",
            cut + ring
        );
        eprintln!(
            "clack-host end hit, seed {seed}: button {:+.2} samples from the cut, last note-off {:.0} samples after it",
            button.iter().map(|(at, _)| *at).min().unwrap() as f64 - cut,
            last_off as f64 - cut
        );
        let state = crate::host::state_json(&plugin.save_state());
        assert_eq!(
            state["params"]["fit_end_hit"],
            serde_json::json!({"bool": true})
        );
    }
}

/// Issue 26: with a sample library whose articulations speak late (Cinematic Studio Strings'
/// factory delays), the button is *sent* its delay before the cut so it *sounds* on the cut's
/// sample, each keyswitch goes out at least 1 ms before the note it serves, and the profile is
/// saved with the project.
#[test]
fn with_a_delayed_library_the_button_is_sent_its_delay_early_and_sounds_on_the_cut() {
    let cut_frame = 611;
    let cut = frames_to_seconds(cut_frame, FrameRate::Fps24) * SAMPLE_RATE;
    let end = (cut + 4.0 * SAMPLE_RATE) as u64;
    let settings = CharacterSettings {
        character: Character::Swell,
        ..CharacterSettings::default()
    };
    let tonic = button_tonic(&theme(), &settings).expect("a key") % 12;
    let profile = reprise::engine::articulation::Profile::factory("cinematic-studio-strings")
        .expect("factory profile");
    let zones = profile.keyswitch_zones();
    let is_switch = |key: i16| {
        zones
            .iter()
            .any(|&(lo, hi)| (lo as i16..=hi as i16).contains(&key))
    };
    // The profile's delays in samples: the button sounds on the cut if it went out one of them
    // before it.
    let delays: Vec<f64> = profile
        .delays
        .iter()
        .map(|d| d.ms / 1000.0 * SAMPLE_RATE)
        .collect();
    assert!(!delays.is_empty());
    for seed in [6, 7] {
        let mut plugin = PluginUnderTest::start(Layout::MidiOnly, SAMPLE_RATE, 4096);
        let out = play_picture(
            &mut plugin,
            &picture_with(cut_frame, Lands::End),
            &[
                ("fit_end_hit", serde_json::json!({"bool": true})),
                ("end_ring", serde_json::json!({"f32": 0.5})),
                (
                    "articulations",
                    serde_json::json!({"string": "cinematic-studio-strings"}),
                ),
            ],
            end,
            seed,
        );
        assert_balanced(&out, "articulated end hit");
        let onsets: Vec<(u64, i16, i16)> = out
            .iter()
            .filter_map(|e| match e.kind {
                OutKind::NoteOn { channel, key, .. } => Some((e.time_samples, channel, key)),
                _ => None,
            })
            .collect();
        let (switches, notes): (Vec<_>, Vec<_>) =
            onsets.iter().partition(|(_, _, key)| is_switch(*key));
        assert!(!switches.is_empty(), "seed {seed}: no keyswitch sent");
        // The button: the last tonic notes sent, each one of the delays before the cut.
        let last_sent = notes.iter().map(|(at, _, _)| *at).max().expect("notes");
        let button: Vec<_> = notes
            .iter()
            .filter(|(at, _, _)| {
                (cut - *at as f64) <= delays.iter().cloned().fold(0.0, f64::max) + 1.0
            })
            .filter(|(at, _, _)| *at as f64 <= cut + 1.0)
            .filter(|(_, _, key)| (*key as u8) % 12 == tonic)
            .collect();
        assert!(
            !button.is_empty(),
            "seed {seed}: no button sent before the cut"
        );
        for (at, _, key) in &button {
            let early = cut - *at as f64;
            assert!(
                delays.iter().any(|d| (early - d).abs() <= 1.0),
                "seed {seed}: the button {key} went out {early:.1} samples before the cut, \
                 not one of the delays {delays:?}"
            );
        }
        assert!(
            last_sent as f64 <= cut + 1.0,
            "seed {seed}: a note after the button"
        );
        // Each keyswitch went out at least 48 samples before the next note on its channel.
        for (at, channel, key) in &switches {
            if let Some(next) = notes
                .iter()
                .filter(|(t, c, _)| c == channel && t >= at)
                .map(|(t, _, _)| *t)
                .min()
            {
                assert!(
                    next - at >= 48,
                    "seed {seed}: keyswitch {key} at {at}, note at {next}"
                );
            }
        }
        eprintln!(
            "clack-host articulated end hit, seed {seed}: button sent {:.1} samples before the cut ({} keyswitches)",
            cut - button.iter().map(|(at, _, _)| *at).min().unwrap() as f64,
            switches.len()
        );
        let state = crate::host::state_json(&plugin.save_state());
        assert_eq!(
            state["params"]["articulations"],
            serde_json::json!({"string": "cinematic-studio-strings"})
        );
    }
}
