//! Issue 23, items 1–5: what a musician hears in a rendering — the song's metre kept at every
//! intensity and augmentation, minor keys' raised 6th and 7th treated as members of the key,
//! Piano's left hand under the melody, a full retrograde on the grid, and Distant above what a
//! sampler still sounds. Themes written for these tests (waltz, jig, 9/8, a detached line, an
//! upbeat), not the material the characters were tuned on.

use reprise::engine::character::{
    distant, piano, render, swell, Character, CharacterSettings, Retrograde,
};
use reprise::engine::event::CC_MODULATION;
use reprise::engine::key::{Key, Mode};
use reprise::engine::motif::{Motif, Note, TimeSignature};
use reprise::engine::ops::augmentation::METRIC_FACTORS;
use reprise::engine::ops::fragment::head_length;
use reprise::engine::ops::humanize::max_timing_shift_beats;
use reprise::engine::ops::liquidation::MIN_LIQUIDATED_NOTES;
use reprise::engine::rendering::{Rendering, Voice};
use reprise::engine::scale::ScaleMode;

/// Onsets computed from whole numbers of beats agree to this (beats).
const EXACT_BEATS: f64 = 1e-6;

/// A theme: metre, and notes as (onset, length, key) in quarter-note beats.
struct Theme {
    name: &'static str,
    metre: (u8, u8),
    notes: &'static [(f64, f64, u8)],
}

/// F major waltz: bar lines at 0, 3, 6, 9; an eighth-note upbeat inside bar 2.
const WALTZ: Theme = Theme {
    name: "waltz in F, 3/4",
    metre: (3, 4),
    notes: &[
        (0.0, 2.0, 69),
        (2.0, 1.0, 70),
        (3.0, 1.5, 72),
        (4.5, 0.5, 74),
        (5.0, 1.0, 72),
        (6.0, 2.0, 70),
        (8.0, 1.0, 69),
        (9.0, 3.0, 65),
    ],
};

/// D minor jig: dotted-quarter beats at 0, 1.5, 3 …, with the leading tone C♯.
const JIG: Theme = Theme {
    name: "jig in D minor, 6/8",
    metre: (6, 8),
    notes: &[
        (0.0, 1.0, 62),
        (1.0, 0.5, 64),
        (1.5, 1.0, 65),
        (2.5, 0.5, 67),
        (3.0, 1.5, 69),
        (4.5, 1.5, 67),
        (6.0, 1.0, 65),
        (7.0, 0.5, 64),
        (7.5, 1.5, 61),
        (9.0, 3.0, 62),
    ],
};

/// G major in 9/8: three dotted-quarter beats a bar.
const SLIP_JIG: Theme = Theme {
    name: "slip jig in G, 9/8",
    metre: (9, 8),
    notes: &[
        (0.0, 1.5, 67),
        (1.5, 0.5, 69),
        (2.0, 1.0, 71),
        (3.0, 1.5, 72),
        (4.5, 1.5, 74),
        (6.0, 0.5, 72),
        (6.5, 0.5, 71),
        (7.0, 0.5, 69),
        (7.5, 1.5, 67),
    ],
};

/// C major, every note detached (half its spacing), the last a little longer.
const DETACHED: Theme = Theme {
    name: "detached line in C, 4/4",
    metre: (4, 4),
    notes: &[
        (0.0, 0.5, 60),
        (1.0, 0.5, 64),
        (2.0, 0.5, 67),
        (3.0, 0.5, 64),
        (4.0, 0.5, 65),
        (5.0, 0.5, 62),
        (6.0, 0.5, 59),
        (7.0, 0.85, 60),
    ],
};

/// An upbeat on beat 4, then bar lines at 4 and 8.
const UPBEAT: Theme = Theme {
    name: "upbeat theme in C, 4/4",
    metre: (4, 4),
    notes: &[
        (3.0, 1.0, 67),
        (4.0, 1.5, 72),
        (5.5, 0.5, 71),
        (6.0, 1.0, 69),
        (7.0, 1.0, 67),
        (8.0, 4.0, 72),
    ],
};

const THEMES: [&Theme; 5] = [&WALTZ, &JIG, &SLIP_JIG, &DETACHED, &UPBEAT];

fn motif_of(theme: &Theme) -> Motif {
    motif_at(theme, 120.0)
}

fn motif_at(theme: &Theme, tempo_bpm: f64) -> Motif {
    let mut motif = Motif::new(TimeSignature::new(theme.metre.0, theme.metre.1), tempo_bpm);
    for &(start_beats, length_beats, key) in theme.notes {
        motif.push(Note {
            start_beats,
            length_beats,
            key,
            velocity: 0.6,
            channel: 0,
        });
    }
    motif.finish();
    motif
}

fn rendered(motif: &Motif, settings: &CharacterSettings) -> Rendering {
    let mut out = Rendering::new();
    render(motif, settings, &mut out);
    out
}

fn melody(out: &Rendering) -> Vec<(f64, u8)> {
    let mut notes: Vec<(f64, u8)> = out
        .voice(Voice::Melody)
        .map(|n| (n.start_beats, n.key))
        .collect();
    notes.sort_by(|a, b| a.0.total_cmp(&b.0));
    notes
}

fn on_grid(beats: f64, grid: f64, tolerance: f64) -> bool {
    let units = beats / grid;
    (units - units.round()).abs() * grid <= tolerance
}

/// For each rendered melody note, the index of the motif note it states: one to one for Piano
/// and Swell; for Distant, the head stated again and again (whole, or losing its last note
/// each time when it liquidates).
fn sources(motif: &Motif, settings: &CharacterSettings, num_melody: usize) -> Vec<usize> {
    if settings.character != Character::Distant {
        return (0..num_melody).collect();
    }
    let plain = rendered(
        motif,
        &CharacterSettings {
            character: Character::None,
            ..*settings
        },
    );
    let head = head_length(&plain);
    let mut indices = Vec::new();
    let mut size = head;
    while indices.len() < num_melody {
        indices.extend(0..size);
        if settings.intensity >= distant::LIQUIDATION_INTENSITY {
            size = size.saturating_sub(1).max(MIN_LIQUIDATED_NOTES.min(head));
        }
    }
    indices
}

/// Item 1: a motif note on a bar line starts on a bar line of the rendering, one on a beat of
/// the metre (the dotted quarter in 6/8 and 9/8) on a beat — in every character, at every
/// intensity and metric augmentation. Piano's ritardando may move notes inside its last bar
/// only, and its last note still starts on a beat. Humanize is off; Distant's own drift is
/// allowed its documented bound.
#[test]
fn every_character_keeps_the_songs_bar_lines_and_beats() {
    let mut failures = Vec::new();
    // Slow, moderate and fast: the characters' millisecond-based holds and spreads turn into
    // other beat lengths at each.
    for (theme, tempo_bpm) in THEMES
        .iter()
        .flat_map(|theme| [66.0, 120.0, 184.0].map(|tempo| (*theme, tempo)))
    {
        let motif = motif_at(theme, tempo_bpm);
        let metre = motif.time_signature;
        let (bar, pulse) = (metre.bar_length_beats(), metre.pulse_length_beats());
        for character in Character::ALL {
            for intensity in [0.0, 0.25, 0.5, 0.6, 0.75, 0.8, 0.9, 1.0] {
                for augmentation in METRIC_FACTORS.into_iter().filter(|f| *f >= 1.0) {
                    let settings = CharacterSettings {
                        character,
                        intensity,
                        augmentation,
                        humanize: 0.0,
                        ..CharacterSettings::default()
                    };
                    let tolerance = if character == Character::Distant {
                        max_timing_shift_beats(distant::MIN_DRIFT) + EXACT_BEATS
                    } else {
                        EXACT_BEATS
                    };
                    let out = rendered(&motif, &settings);
                    let line = melody(&out);
                    let last_onset = line.last().expect("a melody").0;
                    // The bar the ritardando may reshape: the one that held the last onset
                    // before it slowed (the motif's last onset, broadened).
                    let broadened = if intensity >= piano::BROADEN_INTENSITY {
                        piano::BROADEN_FACTOR
                    } else {
                        1.0
                    };
                    let written_last = motif.notes().last().unwrap().start_beats;
                    let before_slowing = written_last * broadened * augmentation;
                    let last_bar = ((before_slowing + EXACT_BEATS) / bar).floor() * bar;
                    let source = sources(&motif, &settings, line.len());
                    for (k, &(onset, _)) in line.iter().enumerate() {
                        let written = motif.notes()[source[k]].start_beats;
                        let in_ritardando = character == Character::Piano
                            && onset > last_bar + EXACT_BEATS
                            && k + 1 < line.len();
                        let wanted = if on_grid(written, bar, EXACT_BEATS) {
                            Some(("a bar line", bar))
                        } else if on_grid(written, pulse, EXACT_BEATS) {
                            Some(("a beat", pulse))
                        } else {
                            None
                        };
                        if let Some((what, grid)) = wanted.filter(|_| !in_ritardando) {
                            if !on_grid(onset, grid, tolerance) {
                                failures.push(format!(
                                    "{} at {tempo_bpm} BPM, {} at intensity {intensity} \
                                     ×{augmentation}: the note written at {written} (on {what}) \
                                     starts at {onset:.3}",
                                    theme.name,
                                    character.name()
                                ));
                            }
                        }
                    }
                    if character == Character::Piano && !on_grid(last_onset, pulse, tolerance) {
                        failures.push(format!(
                            "{}, piano at intensity {intensity} ×{augmentation}: the last note \
                             starts off the beat, at {last_onset:.3}",
                            theme.name
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} notes off the song's grid, e.g. {:#?}",
        failures.len(),
        &failures[..failures.len().min(12)]
    );
}

fn keys_after(keys: &[u8], key: Key, settings: CharacterSettings) -> Vec<u8> {
    let mut motif = Motif::new(TimeSignature::new(4, 4), 100.0);
    for (i, &k) in keys.iter().enumerate() {
        motif.push(Note {
            start_beats: i as f64,
            length_beats: 1.0,
            key: k,
            velocity: 0.6,
            channel: 0,
        });
    }
    motif.finish();
    let settings = CharacterSettings {
        character: Character::None,
        key: Some(key),
        humanize: 0.0,
        ..settings
    };
    melody(&rendered(&motif, &settings))
        .into_iter()
        .map(|(_, k)| k)
        .collect()
}

const F_MINOR: Key = Key {
    tonic: 5,
    mode: Mode::Minor,
};
const C_SHARP_MINOR: Key = Key {
    tonic: 1,
    mode: Mode::Minor,
};

/// Item 2: the leading tone stays a leading tone under a mode change (E in F minor is E in F
/// major, not F; B♯ in C♯ minor is B♯ in C♯ major, not C♯).
#[test]
fn a_mode_change_keeps_minors_leading_tone() {
    let to_major = CharacterSettings {
        mode: Some(ScaleMode::Major),
        ..CharacterSettings::default()
    };
    // F G A♭ B♭ C D♭ E F → F G A B♭ C D E F.
    assert_eq!(
        keys_after(&[65, 67, 68, 70, 72, 73, 76, 77], F_MINOR, to_major),
        vec![65, 67, 69, 70, 72, 74, 76, 77]
    );
    // C♯4 … A4 B♯4 C♯5 → C♯ major: B♯ stays B♯ (72), not C♯ twice.
    assert_eq!(
        keys_after(&[61, 64, 68, 69, 72, 73], C_SHARP_MINOR, to_major),
        vec![61, 65, 68, 70, 72, 73]
    );
    // Melodic minor's raised 6th and 7th stay raised in Dorian too.
    let to_dorian = CharacterSettings {
        mode: Some(ScaleMode::Dorian),
        ..CharacterSettings::default()
    };
    assert_eq!(
        keys_after(&[72, 74, 76, 77], F_MINOR, to_dorian),
        vec![72, 74, 76, 77]
    );
}

/// Item 2: a raised 7th is a step of the scale: moved diatonically or mirrored it lands on a
/// degree of the key, and a half step stays a step.
#[test]
fn diatonic_moves_treat_the_raised_seventh_as_a_step_of_the_key() {
    let up_two = CharacterSettings {
        transpose_steps: 2,
        ..CharacterSettings::default()
    };
    // E4→F4 in F minor, up two steps: G4→A♭4 (not A♭4→A♭4).
    assert_eq!(keys_after(&[64, 65], F_MINOR, up_two), vec![67, 68]);
    let inverted = CharacterSettings {
        invert: true,
        ..CharacterSettings::default()
    };
    // F4 E4 F4 mirrored around F4: F4 G4 F4 (the step below the tonic becomes the step above).
    assert_eq!(
        keys_after(&[65, 64, 65], F_MINOR, inverted),
        vec![65, 67, 65]
    );
    // Up an octave (7 steps) the leading tone stays the leading tone.
    let up_octave = CharacterSettings {
        transpose_steps: 7,
        ..CharacterSettings::default()
    };
    assert_eq!(keys_after(&[64, 65], F_MINOR, up_octave), vec![76, 77]);
}

/// Item 2: Swell's third below a raised 7th comes from harmonic minor: G♯ under B♯ in C♯
/// minor, never A♮ (an augmented second below).
#[test]
fn swells_third_under_the_leading_tone_is_from_harmonic_minor() {
    let mut motif = Motif::new(TimeSignature::new(4, 4), 100.0);
    for (i, key) in [73u8, 75, 76, 72, 73].into_iter().enumerate() {
        motif.push(Note {
            start_beats: i as f64,
            length_beats: 1.0,
            key,
            velocity: 0.6,
            channel: 0,
        });
    }
    motif.finish();
    let settings = CharacterSettings {
        character: Character::Swell,
        intensity: swell::HARMONY_INTENSITY,
        key: Some(C_SHARP_MINOR),
        humanize: 0.0,
        ..CharacterSettings::default()
    };
    let out = rendered(&motif, &settings);
    let melody_notes: Vec<_> = out.voice(Voice::Melody).copied().collect();
    let leading_tone = melody_notes
        .iter()
        .find(|n| n.key % 12 == 0)
        .expect("B♯ in the melody");
    let under: Vec<u8> = out
        .voice(Voice::Harmony)
        .filter(|n| (n.start_beats - leading_tone.start_beats).abs() < EXACT_BEATS)
        .map(|n| n.key)
        .collect();
    assert_eq!(
        under,
        vec![leading_tone.key - 4],
        "a major third (G♯) under B♯"
    );
}

/// Item 3: Piano's left hand stays below the melody note sounding at every instant, in every
/// theme (moved down an octave too, where the melody sits around A3) at the intensities that
/// bring the left hand and its fifth.
#[test]
fn pianos_left_hand_never_crosses_the_melody() {
    let mut failures = Vec::new();
    for theme in THEMES {
        for octave_down in [false, true] {
            let mut motif = motif_of(theme);
            let mut low = Motif::new(motif.time_signature, motif.tempo_bpm);
            for note in motif.notes() {
                low.push(Note {
                    key: note.key - if octave_down { 12 } else { 0 },
                    ..*note
                });
            }
            low.finish();
            motif = low;
            for intensity in [0.5, 0.7, 0.8, 0.9, 1.0] {
                for transpose_semitones in [-12, 0] {
                    let settings = CharacterSettings {
                        character: Character::Piano,
                        intensity,
                        transpose_semitones,
                        ..CharacterSettings::default()
                    };
                    let out = rendered(&motif, &settings);
                    for left in out.voice(Voice::Bass) {
                        for tune in out.voice(Voice::Melody) {
                            let overlap = left.end_beats().min(tune.end_beats())
                                - left.start_beats.max(tune.start_beats);
                            if overlap > EXACT_BEATS && left.key >= tune.key {
                                failures.push(format!(
                                    "{} (down an octave: {octave_down}, transposed \
                                     {transpose_semitones}) at {intensity}: left hand {} at \
                                     {:.2} over melody {} at {:.2}",
                                    theme.name,
                                    left.key,
                                    left.start_beats,
                                    tune.key,
                                    tune.start_beats
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Item 4: a full retrograde reverses the note values as a musician reads them, so a detached
/// line's onsets stay on the beats (the old mirror of note ends put every onset early), and
/// each note keeps its own sounding length.
#[test]
fn a_full_retrograde_of_a_detached_line_stays_on_the_beats() {
    for character in [Character::None, Character::Swell] {
        // Swell from intensity 0: no broadening, legato holds.
        let settings = CharacterSettings {
            character,
            retrograde: Retrograde::Full,
            intensity: 0.0,
            humanize: 0.0,
            ..CharacterSettings::default()
        };
        let motif = motif_of(&DETACHED);
        let out = rendered(&motif, &settings);
        let onsets: Vec<f64> = melody(&out).iter().map(|n| n.0).collect();
        for onset in &onsets {
            assert!(
                on_grid(*onset, 1.0, EXACT_BEATS),
                "{}: retrograde onsets {onsets:?}",
                character.name()
            );
        }
    }
    let motif = motif_of(&DETACHED);
    let plain = CharacterSettings {
        character: Character::None,
        retrograde: Retrograde::Full,
        humanize: 0.0,
        ..CharacterSettings::default()
    };
    let out = rendered(&motif, &plain);
    let got: Vec<(f64, f64, u8)> = out
        .voice(Voice::Melody)
        .map(|n| (n.start_beats, n.length_beats, n.key))
        .collect();
    let mut want: Vec<(f64, f64, u8)> = DETACHED
        .notes
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &(_, length, key))| (i as f64, length, key))
        .collect();
    want.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(got, want);
    // A dotted rhythm reversed: values 1.5 0.5 1 2 → 2 1 0.5 1.5 (the last note's value is
    // its own length, counted in the motif's shortest value).
    let mut dotted = Motif::new(TimeSignature::new(4, 4), 100.0);
    for (start_beats, length_beats, key) in [(0.0, 1.2, 60), (1.5, 0.4, 62), (2.0, 0.8, 64)] {
        dotted.push(Note {
            start_beats,
            length_beats,
            key,
            velocity: 0.6,
            channel: 0,
        });
    }
    dotted.push(Note {
        start_beats: 3.0,
        length_beats: 1.9,
        key: 65,
        velocity: 0.6,
        channel: 0,
    });
    dotted.finish();
    let out = rendered(&dotted, &plain);
    let got: Vec<(f64, f64, u8)> = out
        .voice(Voice::Melody)
        .map(|n| (n.start_beats, n.length_beats, n.key))
        .collect();
    assert_eq!(
        got,
        vec![
            (0.0, 1.9, 65),
            (2.0, 0.8, 64),
            (3.0, 0.4, 62),
            (3.5, 1.2, 60)
        ]
    );
}

/// Item 5: every Distant note — the last echo of the longest fade included — stays at or
/// above the floor a sampler still sounds, and so does its dynamics controller.
#[test]
fn distant_never_fades_below_hearing() {
    for theme in THEMES {
        let motif = motif_of(theme);
        for step in 0..=10 {
            let intensity = f64::from(step) / 10.0;
            for humanize in [0.0, 1.0] {
                let settings = CharacterSettings {
                    character: Character::Distant,
                    intensity,
                    humanize,
                    ..CharacterSettings::default()
                };
                let out = rendered(&motif, &settings);
                let softest = out
                    .notes
                    .iter()
                    .map(|n| n.velocity * 127.0)
                    .fold(f32::INFINITY, f32::min);
                assert!(
                    softest >= distant::AUDIBLE_FLOOR_VELOCITY - 1e-3,
                    "{} at {intensity}: a note at velocity {softest}",
                    theme.name
                );
                let lowest_cc = out
                    .ccs
                    .iter()
                    .filter(|p| p.cc == CC_MODULATION)
                    .map(|p| p.value * 127.0)
                    .fold(f32::INFINITY, f32::min);
                assert!(
                    lowest_cc >= distant::AUDIBLE_FLOOR_CC - 1e-3,
                    "{} at {intensity}: CC1 down to {lowest_cc}",
                    theme.name
                );
                // The composer moves the floor for an instrument that needs more.
                let louder = rendered(
                    &motif,
                    &CharacterSettings {
                        softest_velocity: 40,
                        ..settings
                    },
                );
                assert!(louder
                    .notes
                    .iter()
                    .all(|n| n.velocity * 127.0 >= 40.0 - 1e-3));
                // The echoes still fade: the last statement is softer than the first.
                let first = out.notes.first().unwrap().velocity;
                let last = out.notes.last().unwrap().velocity;
                assert!(last < first, "{} at {intensity}: no fade", theme.name);
            }
        }
    }
}
