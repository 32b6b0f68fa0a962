//! The live engine, headless: what the player's keys do — playing along on the rendering's
//! channel, pass-through on and off, and the key trigger across loop wraps and stops.
//!
//! Which level owns what: engine scenarios (these files, headless) own timing to the sample,
//! block-split equivalence and the allocation guard; the built plugin in a CLAP host
//! (`tests/clap_host`) owns what a host sees of it (events, parameters, state); a real DAW
//! (`tests/daw`, Ardour) owns what a composer's session does.

#[path = "common/live.rs"]
mod live;
use live::*;

/// Issue 10, defect 9: notes played along on the melody channel gave a note-on for a key the
/// rendering already held (and the reverse); a sampler hears one voice and releases it at the
/// first note-off. One collision policy now: a new note-on for a sounding cell first ends the
/// old one at that sample, and the displaced note's own note-off is not sent.
#[test]
fn playing_along_on_the_rendering_channel_never_holds_a_key_twice() {
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let beat = 24_000u64;
    let mut input = Vec::new();
    // The rendering plays 60 62 64 65 67 69 71 72 in eighths on channel 1 (index 0); the
    // composer plays the same keys, a little early, late and long, on the same channel.
    for (i, key) in [60u8, 64, 67, 72, 62, 69].into_iter().enumerate() {
        let on = i as u64 * 2 * beat + beat / 8 + (i as u64 % 3) * 1_000;
        input.push((on, Event::note_on(0, 0, key, 0.6, None)));
        input.push((on + beat * 3 / 2, Event::note_off(0, 0, key, 0.0, None)));
    }
    input.sort_by_key(|&(sample, _)| sample);
    let blocks = ramp_blocks(120.0, 120.0, 1.0, 16.0, 512);
    let (heard, _) = drive(&mut engine, &blocks, |_| plain_playback(), &input);
    assert_eq!(heard.double_strikes, 0, "a key was struck while it sounded");
    assert_eq!(
        heard.stray_offs, 0,
        "a note-off for a key that was not sounding"
    );
}

/// Issue 10, defect 10: turning Pass-through off also ended the rendering's notes and lifted
/// its pedal, after which the scheduler believed the pedal was still down and skipped the next
/// pedal-down. Pass-through only owns what was played.
#[test]
fn toggling_pass_through_leaves_the_rendering_alone() {
    use reprise::engine::character::Character;
    let mut settings = plain_playback();
    settings.character.character = Character::Piano;
    settings.character.intensity = 0.8;
    let blocks = ramp_blocks(120.0, 120.0, 1.0, 24.0, 512);
    let run = |toggle: bool| {
        let mut engine = Box::new(LiveEngine::new());
        engine.set_slot(0, &eighths_motif(0.45));
        drive(
            &mut engine,
            &blocks,
            |idx| LiveSettings {
                pass_through: !(toggle && (idx / 40) % 2 == 1),
                ..settings
            },
            &[],
        )
        .0
        .notes
    };
    let steady = run(false);
    assert!(steady.len() > 20);
    assert_eq!(
        run(true),
        steady,
        "the rendering is the same with pass-through toggled"
    );
}

/// Issue 10, defect 8: a held trigger key stopped at a loop wrap or a transport stop and did not
/// come back while still held. A triggered rendering belongs to the key: it carries on.
#[test]
fn a_held_trigger_key_plays_on_across_loop_wraps_and_a_stop() {
    let beat = 24_000u64; // 120 BPM
    let mut blocks = Vec::new();
    let mut beats = 0.0f64;
    for idx in 0..(14 * beat / 512) {
        // Looping 0–4 beats for 10 beats of time, then stopped.
        let playing = idx * 512 < 10 * beat;
        let mut info = transport(beats, 120.0, TimeSignature::new(4, 4));
        info.playing = playing;
        info.loop_range_beats = Some((0.0, 4.0));
        blocks.push((512u32, info));
        if playing {
            beats += 512.0 / beat as f64;
            if beats >= 4.0 {
                beats -= 4.0;
            }
        }
    }
    let settings = LiveSettings {
        playback_mode: PlaybackMode::KeyTrigger,
        ..plain_playback()
    };
    let input = [
        (beat / 2, Event::note_on(0, 0, 48, 0.8, None)),
        (13 * beat + beat / 2, Event::note_off(0, 0, 48, 0.0, None)),
    ];
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &eighths_motif(0.45));
    let (heard, _) = drive(&mut engine, &blocks, |_| settings, &input);
    assert_eq!(heard.double_strikes, 0);
    assert_eq!(heard.stray_offs, 0);
    // Held 13 beats: 26 eighths of the looping one-bar rendering, and silence after the release.
    let while_held = heard
        .notes
        .iter()
        .filter(|n| n.on >= beat / 2 && n.on < 13 * beat + beat / 2)
        .count();
    assert!(
        (25..=27).contains(&while_held),
        "{while_held} notes while the key was held"
    );
    assert!(
        heard.notes.iter().all(|n| n.off.is_some()),
        "everything ends at the release"
    );
}
