//! The parameter reference (`docs/parameters.md`), generated from the parameter definitions so
//! it cannot go stale: names, ranges, defaults and units come from the parameters themselves,
//! and whether a change ends notes is worked out by the engine's own rule
//! ([`LiveSettings::change_effect`]) on the settings each value gives. Only the musical meaning
//! is written here, once per parameter id; the test below fails when a parameter has none, and
//! rewrites the document with `REPRISE_WRITE_DOCS=1`.

use nice_plug::prelude::*;

use crate::engine::playback::LiveSettings;
use crate::params::RepriseParams;

/// What each parameter does, musically, by frozen id (in the order the host lists them).
pub const MEANINGS: &[(&str, &str)] = &[
    ("pass_through", "Forwards what you play to the instrument alongside the rendering."),
    ("character", "How the motif is re-told: Piano (a vulnerable solo line with a left hand and pedal), Swell (an orchestral surge with doubling, third and bass pedal), or Distant (a whispering memory: fragments, echoes, soft and sparse)."),
    ("intensity", "The character's macro: how far it goes (more voices, wider dynamics, longer swells, more fragmentation)."),
    ("slot", "Which of the eight library slots plays. Automate it at a hit point to switch cues."),
    ("playback", "How renderings start: off, in time with the host's bars while the transport runs, or from a trigger key."),
    ("launch_quantize", "Where a follow-transport rendering starts: immediately, on the next beat, or on the next bar line."),
    ("loop", "Loop the rendering while playing, or play it once."),
    ("trigger_low", "Lowest key that triggers the rendering in key-trigger mode (keys outside the range pass through)."),
    ("trigger_high", "Highest trigger key."),
    ("trigger_transpose", "How a trigger key transposes the motif: diatonically (along the motif's scale) or chromatically (by semitones)."),
    ("transpose_semitones", "Chromatic transposition of the rendering."),
    ("transpose_steps", "Diatonic transposition: the line moves along the motif's scale, as a sequence does."),
    ("invert", "Turns the melody upside down around its first note, within the scale."),
    ("retrograde", "Plays the pitches backwards (rhythm kept), or pitches and rhythm backwards."),
    ("augmentation", "Multiplies the rhythm's values by ×1, ×2, ×3 or ×4, which keep the song's metre (the motif's bar lines stay bar lines, its beats stay beats), or divides them (×0.5, ×0.25: two or four of the motif's bars in one bar, so its bar lines fall inside bars); values in between take the nearest."),
    ("mode", "Recasts the motif in another mode (minor, dorian, …) on the same tonic, or keeps its own."),
    ("dynamics_cc", "Which controller carries the dynamics curve: CC1 (modulation, the dynamics crossfade of most orchestral libraries), CC11 (expression), both, or none."),
    ("channel_layout", "All voices on one MIDI channel, or each voice (melody, doubling, harmony, bass) on its own channel for up to four instruments."),
    ("base_channel", "The first output channel; split voices use the next ones."),
    ("humanize", "Small timing and velocity variations, as a player would make."),
    ("seed", "The variation of humanize and drift: the same seed plays the same way again."),
    ("softest_velocity", "The softest velocity Distant's fading statements and echoes reach: raise it if your instrument is silent at the quietest echoes, lower it for one that still sounds softer (see docs/sample-libraries.md)."),
    ("capture_mode", "Always listening (every phrase you play becomes the active slot's motif), armed (only the next phrase after arming), or off."),
    ("capture_arm", "Arms capture for the next phrase (armed mode)."),
    ("silence_beats", "How long a silence ends a phrase."),
    ("quantize", "Snaps captured notes to a grid (or leaves them as played)."),
    ("quantize_strength", "How far notes move toward the grid: 100 % snaps, less keeps some of the feel."),
    ("capture_drums", "Capture also hears MIDI channel 10 (General MIDI drums), which is ignored by default."),
    ("capture_source", "Where capture hears notes: MIDI (your keyboard), Audio (sing, hum, whistle or play one line into Reprise's audio input; notes are placed where you sang them), or both."),
    ("audio_input", "Which audio input channel is listened to: left (a microphone on input 1), right, or both averaged."),
    ("audio_range", "The pitch range listened for: Voice (E2-C6), Low instrument (C2-C5: cello, bassoon, bass voice), High instrument (G3-C7: flute, violin, whistle)."),
    ("audio_gate", "Sensitivity: audio quieter than this is silence (raise it in a noisy room, lower it for a soft voice)."),
    ("audio_snap", "Heard pitches snap to the scale of the slot's locked key (a sung note between two scale notes goes to the nearer one)."),
    ("tempo", "The tempo Reprise plays at when the host sends no transport."),
    ("bypass", "The host's bypass: renderings stop and everything played passes through untouched."),
    ("hit_lock", "Scoring to picture: in Follow transport, statements are placed and pushed (up to 10 % faster or slower over the bars before a hit) so their climax, first note or stinger lands on the picture's hits (Picture tab; saved with the project). With Loop on the rendering loops between them; with Loop off only the statements on hits play, once each. Off: the plain loop (or one-shot) on the song's grid. Without hits it does nothing."),
    ("tap_key", "A key that taps hits while the transport plays: each press becomes a hit at its exact sample, snapped to the nearest frame (it is neither played nor captured). Off by default."),
    ("stinger_over", "Hit lock's stinger hits: on, the head (up to 2 bars) is laid over the running rendering, its notes on top of the loop (the loop's dynamics and pedal stay in charge); off, the head plays instead of the rendering (the loop rests around it). Either way the head's first note lands on the hit's sample."),
    ("fit_bars", "Fit: the rendering becomes a variation of exactly this many bars of the song's metre: statements of the theme, the head in sequence where whole statements do not fit, and a button (the tonic, every voice) on the last bar; Follow transport loops it. Off: the character's own length. For an ending on a cut, see Fit to end hit; for a scene in seconds or cutdowns, use `reprise fit`."),
    ("fit_end_hit", "Fit to the next `end` hit (with Hit lock, in Follow transport): the rendering's last launch before a cut plays a variation fitted to it — its statements, the head in sequence, and a button (the tonic) that starts on the cut's sample, pushed onto it by at most 10 % as Hit lock pushes; after the cut only the button's ring sounds, until the next locked statement."),
    ("end_ring", "How long the button rings after the cut, bars (half a bar to one bar): nothing of the fitted ending sounds past the cut plus this."),
    ("articulations", "The sample library's articulation profile: Notes only (no switches), or one of the six factory profiles (docs/sample-libraries.md). Swell asks for legato, Distant for its colour, Piano for none; each switch goes out 1 ms before the note it serves, the articulation in force is sent again after a start, locate or loop wrap, and each note goes out its articulation's delay early so it sounds on its beat."),
    ("surge_role", "The articulation of Swell's surge (the phrase after a break before the climax): long hard (marcato) or tremolo."),
    ("distant_role", "Distant's articulation: long soft (flautando), con sordino or harmonics."),
    ("track_delay", "The negative track delay the host already gives this track, as a positive number of ms: taken off every articulation's delay so nothing is compensated twice."),
];

/// One parameter as the reference shows it.
struct Row {
    id: String,
    name: String,
    range: String,
    default: String,
    automatable: bool,
    effect: &'static str,
}

/// The live settings with the parameter at `ptr` set to `normalized` (restored afterwards).
fn settings_with(params: &RepriseParams, ptr: ParamPtr, normalized: f32) -> LiveSettings {
    // SAFETY: `ptr` comes from `params.param_map()` and `params` is borrowed for the whole
    // call, so it points at a live parameter; nothing else reads these parameters meanwhile
    // (the reference is built on a private `RepriseParams`).
    unsafe {
        let before = ptr.unmodulated_normalized_value();
        ptr._internal_set_normalized_value(normalized);
        let settings = params.to_live_settings();
        ptr._internal_set_normalized_value(before);
        settings
    }
}

/// What changing this parameter does to sounding notes, in words, judged on every step of a
/// stepped parameter (or both ends and the middle of a continuous one), in both directions
/// from the default.
fn effect_of(params: &RepriseParams, ptr: ParamPtr) -> &'static str {
    // SAFETY: as in `settings_with`.
    let (default, steps) = unsafe { (ptr.default_normalized_value(), ptr.step_count()) };
    let values: Vec<f32> = match steps {
        Some(steps) => (0..=steps)
            .map(|i| i as f32 / steps.max(1) as f32)
            .collect(),
        None => vec![0.0, 0.5, 1.0],
    };
    let at_default = settings_with(params, ptr, default);
    let (mut ends_rendering, mut ends_forwarded, mut rerenders) = (false, false, false);
    for value in values {
        let other = settings_with(params, ptr, value);
        for effect in [
            at_default.change_effect(&other),
            other.change_effect(&at_default),
        ] {
            ends_rendering |= effect.ends_rendering_notes;
            ends_forwarded |= effect.ends_forwarded_notes;
            rerenders |= effect.rerenders;
        }
    }
    match (ends_rendering, ends_forwarded, rerenders) {
        (true, true, _) => "yes: the rendering's and the played notes end",
        (true, false, _) => "yes: the rendering's sounding notes end, then it plays on",
        (false, true, _) => "turning it off ends the played (forwarded) notes",
        (false, false, true) => "no: re-renders, sounding notes keep their end",
        (false, false, false) => "no",
    }
}

fn rows(params: &RepriseParams) -> Vec<Row> {
    params
        .param_map()
        .into_iter()
        .map(|(id, ptr, _group)| {
            // SAFETY: as in `settings_with`.
            let (name, range, default, flags) = unsafe {
                let text = |normalized: f32| ptr.normalized_value_to_string(normalized, true);
                let range = match ptr.step_count() {
                    Some(steps) if steps <= 12 => (0..=steps)
                        .map(|i| text(i as f32 / steps.max(1) as f32))
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => format!("{} to {}", text(0.0), text(1.0)),
                };
                (
                    ptr.name().to_owned(),
                    range,
                    text(ptr.default_normalized_value()),
                    ptr.flags(),
                )
            };
            Row {
                effect: effect_of(params, ptr),
                automatable: !flags.contains(ParamFlags::NON_AUTOMATABLE),
                id,
                name,
                range,
                default,
            }
        })
        .collect()
}

/// The reference document for `params` (at their defaults).
pub fn reference_markdown(params: &RepriseParams) -> Result<String, String> {
    let mut text = String::from(
        "# Parameter reference\n\n\
         Generated from the parameter definitions by `src/param_reference.rs` (the test \
         `param_reference::tests::docs_parameters_md_is_current` fails when this file is stale; \
         `REPRISE_WRITE_DOCS=1 cargo test --lib param_reference` rewrites it). Names are as \
         your host shows them; the id is what automation and saved projects store (frozen). \
         \"Ends notes\" is what a change does to the notes sounding at that moment; a parameter \
         marked \"no\" can be automated freely without chopping notes.\n\n\
         | Parameter | Range | Default | Ends notes? | What it does |\n\
         |---|---|---|---|---|\n",
    );
    for row in rows(params) {
        let meaning = MEANINGS
            .iter()
            .find(|(id, _)| *id == row.id)
            .map(|(_, meaning)| *meaning)
            .ok_or_else(|| format!("parameter `{}` has no entry in MEANINGS", row.id))?;
        let automation = if row.automatable {
            ""
        } else {
            " (not automatable)"
        };
        text.push_str(&format!(
            "| **{}**{automation} <br>`{}` | {} | {} | {} | {} |\n",
            row.name, row.id, row.range, row.default, row.effect, meaning
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library_state::LibraryHandle;

    fn document() -> String {
        let (library, _audio) = LibraryHandle::new();
        reference_markdown(&RepriseParams::new(library)).expect("every parameter explained")
    }

    #[test]
    fn docs_parameters_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/parameters.md");
        let generated = document();
        if std::env::var_os("REPRISE_WRITE_DOCS").is_some() {
            std::fs::write(&path, &generated).expect("write docs/parameters.md");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/parameters.md is stale: run `REPRISE_WRITE_DOCS=1 cargo test --lib param_reference`"
        );
    }

    #[test]
    fn every_meaning_belongs_to_a_parameter() {
        let (library, _audio) = LibraryHandle::new();
        let params = RepriseParams::new(library);
        let ids: Vec<String> = params.param_map().into_iter().map(|(id, ..)| id).collect();
        for (id, _) in MEANINGS {
            assert!(
                ids.iter().any(|p| p == id),
                "MEANINGS names `{id}`, no such parameter"
            );
        }
    }

    #[test]
    fn the_effects_follow_the_engine_rule() {
        let doc = document();
        let line = |id: &str| {
            doc.lines()
                .find(|l| l.contains(&format!("`{id}`")))
                .unwrap_or_else(|| panic!("{id} listed"))
                .to_owned()
        };
        // Shape-only settings never chop notes; structural ones end them; pass-through only
        // ends what it forwarded.
        for id in [
            "intensity",
            "humanize",
            "augmentation",
            "seed",
            "dynamics_cc",
        ] {
            assert!(line(id).contains("| no: re-renders"), "{}", line(id));
        }
        for id in [
            "character",
            "slot",
            "transpose_semitones",
            "playback",
            "bypass",
        ] {
            assert!(line(id).contains("| yes:"), "{}", line(id));
        }
        assert!(line("pass_through").contains("turning it off ends the played"));
        for id in ["tempo", "silence_beats", "capture_arm"] {
            assert!(line(id).contains("| no |"), "{}", line(id));
        }
    }
}
