//! Issue 26, articulations through the CLI: `reprise render --articulations PROFILE|FILE.json`
//! and `reprise profiles`, read back from the written file — every switch (CC32, keyswitch
//! note, program change) at least 1 ms before the note it serves, keyswitch notes released,
//! no rendered note on a keyswitch key, notes routed to the profile's channels — and bad
//! profiles refused with a clear error, nothing written.

#[allow(dead_code)]
#[path = "common/cli_run.rs"]
mod cli_run;

use std::path::Path;

use cli_run::{note, reprise, scratch, write_notes};
use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};
use reprise::engine::motif::TimeSignature;

/// A MIDI event read back: (seconds, channel, what).
#[derive(Debug, Clone, Copy, PartialEq)]
enum What {
    On(u8, u8),
    Off(u8),
    Cc(u8, u8),
    Program(u8),
}

/// Every channel event of `path` in time order, seconds through the file's (steady) tempo.
fn events(path: &Path) -> Vec<(f64, u8, What)> {
    let bytes = std::fs::read(path).unwrap();
    let smf = Smf::parse(&bytes).unwrap();
    let Timing::Metrical(ppq) = smf.header.timing else {
        panic!("metrical")
    };
    let mut tempo_us = 500_000.0;
    let mut out = Vec::new();
    for track in &smf.tracks {
        let mut ticks = 0u64;
        for event in track {
            ticks += u64::from(event.delta.as_int());
            match event.kind {
                TrackEventKind::Meta(MetaMessage::Tempo(t)) => tempo_us = f64::from(t.as_int()),
                TrackEventKind::Midi { channel, message } => {
                    let what = match message {
                        MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                            What::On(key.as_int(), vel.as_int())
                        }
                        MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                            What::Off(key.as_int())
                        }
                        MidiMessage::Controller { controller, value } => {
                            What::Cc(controller.as_int(), value.as_int())
                        }
                        MidiMessage::ProgramChange { program } => What::Program(program.as_int()),
                        _ => continue,
                    };
                    out.push((ticks, channel.as_int(), what));
                }
                _ => {}
            }
        }
    }
    let seconds_per_tick = tempo_us / 1e6 / f64::from(ppq.as_int());
    let mut out: Vec<(f64, u8, What)> = out
        .into_iter()
        .map(|(t, c, w)| (t as f64 * seconds_per_tick, c, w))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// A theme in C major that dips to the keyswitch range's keys (C1 = 24 … B1 = 35 would be
/// switches in Cinematic Studio Strings): a legato phrase, a rest, a surge to its climax.
fn write_theme(dir: &Path) -> std::path::PathBuf {
    let notes = [
        note(0.0, 1.0, 60),
        note(1.0, 1.0, 62),
        note(2.0, 1.0, 64),
        note(3.0, 0.5, 62),
        note(4.5, 0.5, 64),
        note(5.0, 1.0, 67),
        note(6.0, 1.5, 72),
        note(7.5, 0.5, 67),
    ];
    let path = dir.join("theme.mid");
    write_notes(&path, "theme", &notes, TimeSignature::new(4, 4), 90.0);
    path
}

fn render(theme: &Path, out: &Path, character: &str, profile: &str) -> std::process::Output {
    render_with(theme, out, character, profile, &[])
}

/// `reprise render THEME --character C --articulations P -o OUT` and `extra` arguments.
fn render_with(
    theme: &Path,
    out: &Path,
    character: &str,
    profile: &str,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "render",
        theme.to_str().unwrap(),
        "--character",
        character,
        "--articulations",
        profile,
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    reprise(&args)
}

/// Checks that each note-on comes at least 1 ms after every switch sent on its channel since
/// the previous note-on there: the switches (`is_switch`) precede their note.
fn assert_switches_lead(events: &[(f64, u8, What)], is_switch: impl Fn(&What) -> bool, what: &str) {
    let mut pending: Vec<(f64, u8)> = Vec::new();
    let mut served = 0;
    for &(at, channel, event) in events {
        if is_switch(&event) {
            pending.push((at, channel));
        } else if let What::On(..) = event {
            for &(switch_at, _) in pending.iter().filter(|(_, c)| *c == channel) {
                assert!(
                    at - switch_at >= 0.001 - 1e-9,
                    "{what}: a switch at {switch_at:.5} s, its note at {at:.5} s"
                );
                served += 1;
            }
            pending.retain(|(_, c)| *c != channel);
        }
    }
    assert!(served > 0, "{what}: no switch served a note");
}

#[test]
fn uacc_and_program_switches_go_out_a_millisecond_ahead_of_their_notes() {
    let dir = scratch("art-uacc");
    let theme = write_theme(&dir);
    for (character, profile) in [
        ("swell", "spitfire-uacc"),
        ("distant", "spitfire-uacc"),
        ("swell", "general-midi"),
        ("swell", "reaticulate-programs"),
    ] {
        let out = dir.join(format!("{character}-{profile}.mid"));
        let run = render(&theme, &out, character, profile);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            stdout.contains(&format!("articulations ({profile})")),
            "{stdout}"
        );
        let events = events(&out);
        let what = format!("{character} {profile}");
        match profile {
            "spitfire-uacc" => {
                assert_switches_lead(&events, |e| matches!(e, What::Cc(32, _)), &what);
                let values: Vec<u8> = events
                    .iter()
                    .filter_map(|e| match e.2 {
                        What::Cc(32, v) => Some(v),
                        _ => None,
                    })
                    .collect();
                // Swell: legato (20) throughout — it carries its line over the theme's rest,
                // so no surge starts after a break (role.rs tests the surge); Distant:
                // flautando (8).
                if character == "swell" {
                    assert!(values.iter().all(|&v| v == 20), "{what}: {values:?}");
                } else {
                    assert!(values.iter().all(|&v| v == 8), "{what}: {values:?}");
                }
                // Dynamics on CC1.
                assert!(
                    events.iter().any(|e| matches!(e.2, What::Cc(1, _))),
                    "{what}"
                );
            }
            "general-midi" => {
                assert_switches_lead(&events, |e| matches!(e, What::Program(_)), &what);
                assert!(events.iter().any(|e| e.2 == What::Program(48)), "{what}");
                // GM reads CC1 as vibrato: dynamics on CC11 only.
                assert!(
                    !events.iter().any(|e| matches!(e.2, What::Cc(1, _))),
                    "{what}"
                );
                assert!(
                    events.iter().any(|e| matches!(e.2, What::Cc(11, _))),
                    "{what}"
                );
            }
            _ => {
                assert_switches_lead(&events, |e| matches!(e, What::Program(_)), &what);
                assert!(events.iter().any(|e| e.2 == What::Program(20)), "{what}");
            }
        }
    }
    // --role: one role for every note (long hard: 9).
    let out = dir.join("forced.mid");
    let run = render_with(
        &theme,
        &out,
        "swell",
        "spitfire-uacc",
        &["--role", "long-hard"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let values: Vec<What> = events(&out)
        .into_iter()
        .map(|e| e.2)
        .filter(|w| matches!(w, What::Cc(32, _)))
        .collect();
    assert!(!values.is_empty() && values.iter().all(|w| *w == What::Cc(32, 9)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keyswitches_are_released_and_no_note_is_left_on_a_keyswitch_key() {
    let dir = scratch("art-ks");
    let theme = write_theme(&dir);
    let out = dir.join("css.mid");
    // Transposed down three octaves, the theme's notes land on the keyswitch keys 24-35.
    let run = render_with(
        &theme,
        &out,
        "swell",
        "cinematic-studio-strings",
        &["--transpose-semitones", "-36"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("moved an octave off the keyswitch keys"),
        "{stdout}"
    );
    let events = events(&out);
    let is_keyswitch = |e: &What| matches!(e, What::On(key, _) if (24..=35).contains(key));
    assert_switches_lead(&events, is_keyswitch, "css");
    // Every keyswitch note is released; every key is balanced.
    let mut down = std::collections::HashMap::new();
    for &(_, channel, event) in &events {
        match event {
            What::On(key, _) => *down.entry((channel, key)).or_insert(0) += 1,
            What::Off(key) => *down.entry((channel, key)).or_insert(0) -= 1,
            _ => {}
        }
    }
    assert!(down.values().all(|&n| n == 0), "unbalanced keys: {down:?}");
    // The keyswitch keys sound only as switches: struck with the profile's velocities.
    let switch_velocities: Vec<(u8, u8)> = events
        .iter()
        .filter_map(|e| match e.2 {
            What::On(key, vel) if (24..=35).contains(&key) => Some((key, vel)),
            _ => None,
        })
        .collect();
    assert!(switch_velocities.contains(&(24, 1)) && switch_velocities.contains(&(32, 65)));
    // … and only as the profile's switches: every strike there is one of its (key, velocity)
    // pairs, one per switch event.
    let profile_pairs = [
        (24, 1),
        (25, 127),
        (28, 127),
        (32, 1),
        (32, 65),
        (35, 1),
        (35, 127),
    ];
    assert!(
        switch_velocities
            .iter()
            .all(|pair| profile_pairs.contains(pair)),
        "a rendered note on a keyswitch key: {switch_velocities:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_channel_profile_routes_notes_with_their_dynamics_and_never_to_channel_10() {
    let dir = scratch("art-ch");
    let theme = write_theme(&dir);
    let out = dir.join("ch.mid");
    let run = render(&theme, &out, "distant", "channel-per-articulation");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let events = events(&out);
    let note_channels: std::collections::BTreeSet<u8> = events
        .iter()
        .filter(|e| matches!(e.2, What::On(..)))
        .map(|e| e.1)
        .collect();
    // Distant's long soft: channel 14 (0-based 13).
    assert_eq!(note_channels.into_iter().collect::<Vec<_>>(), vec![13]);
    assert!(
        events
            .iter()
            .any(|e| e.1 == 13 && matches!(e.2, What::Cc(1, _))),
        "the dynamics follow the notes to their channel"
    );
    assert!(events.iter().all(|e| e.1 != 9));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_json_profile_works_and_bad_profiles_are_refused_with_nothing_written() {
    let dir = scratch("art-json");
    let theme = write_theme(&dir);
    // The template from `reprise profiles --show`, edited: legato on CC58 value 3.
    let run = reprise(&["profiles", "--show", "spitfire-uacc"]);
    assert!(run.status.success());
    let template = String::from_utf8(run.stdout).unwrap();
    let mine = template
        .replace("\"cc\": 32", "\"cc\": 58")
        .replace("\"id\": \"spitfire-uacc\"", "\"id\": \"mine\"");
    let profile = dir.join("mine.json");
    std::fs::write(&profile, mine).unwrap();
    let out = dir.join("mine.mid");
    let run = render(&theme, &out, "swell", profile.to_str().unwrap());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(events(&out).iter().any(|e| e.2 == What::Cc(58, 20)));
    // Broken files: a clear error naming the file, exit 1, nothing written.
    let cases: [(&str, &[u8], &str); 3] = [
        ("broken.json", b"{\"id\": \"x\", \"roles\": [", "not a profile"),
        (
            "drums.json",
            br#"{"id":"x","name":"x","roles":[{"role":"legato","switches":[{"type":"channel","channel":9}]}]}"#,
            "drums",
        ),
        ("bank.reabank", b"Bank 0 0 Shorts\n40 staccato\n", "has no legato"),
    ];
    for (name, text, said) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = dir.join(format!("{name}.mid"));
        let run = render(&theme, &out, "swell", path.to_str().unwrap());
        assert_eq!(run.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains(said) && stderr.contains(name),
            "{name}: {stderr}"
        );
        assert!(!out.exists(), "{name}: nothing written");
    }
    let run = render(&theme, &dir.join("x.mid"), "swell", "no-such-library");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("spitfire-uacc"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_reaticulate_bank_switches_as_its_output_events_say() {
    let dir = scratch("art-reabank");
    let theme = write_theme(&dir);
    // Two banks written in Reaticulate's format: the second is asked for by name.
    let bank = dir.join("strings.reabank");
    std::fs::write(
        &bank,
        concat!(
            "//! g=\"Test/Woodwinds\" n=\"Flute\"\n",
            "Bank * * Flute\n",
            "//! c=long i=note-whole o=note:24\n",
            "1 sustain\n",
            "\n",
            "//! g=\"Test/Strings\" n=\"Violins\"\n",
            "//! chase=1,11,58\n",
            "Bank 0 5 Violins\n",
            "//! c=legato i=legato o=cc:58,76/note-hold:30,100\n",
            "20 legato on\n",
            "//! c=long-light i=con-sord o=cc:58,86\n",
            "7 con sordino\n",
        ),
    )
    .unwrap();
    let out = dir.join("violins.mid");
    let run = render_with(
        &theme,
        &out,
        "swell",
        bank.to_str().unwrap(),
        &["--bank", "violins"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("articulations (violins)"), "{stdout}");
    let written = events(&out);
    // The switches: CC58 and the held keyswitch on key 30.
    let is_switch = |e: &What| matches!(e, What::Cc(58, _) | What::On(30, _));
    assert_switches_lead(&written, is_switch, "reabank");
    assert!(written.iter().any(|e| e.2 == What::Cc(58, 76)));
    let held: Vec<&(f64, u8, What)> = written
        .iter()
        .filter(|e| matches!(e.2, What::On(30, 100) | What::Off(30)))
        .collect();
    // Once per channel of Swell's voices, struck at the start and released at the end.
    let ons = held.iter().filter(|e| matches!(e.2, What::On(..))).count();
    let offs = held.len() - ons;
    assert!(ons >= 1 && ons == offs, "{held:?}");
    // Distant (long soft) falls back to the muted patch, con sordino.
    let out = dir.join("violins-distant.mid");
    let run = render_with(
        &theme,
        &out,
        "distant",
        bank.to_str().unwrap(),
        &["--bank", "violins"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(events(&out).iter().any(|e| e.2 == What::Cc(58, 86)));
    // A bank the file does not have: its banks are listed.
    let run = render_with(
        &theme,
        &dir.join("brass.mid"),
        "swell",
        bank.to_str().unwrap(),
        &["--bank", "brass"],
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("Flute; Violins"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn each_note_goes_out_early_by_its_articulations_delay_less_the_tracks() {
    let dir = scratch("art-delay");
    let theme = write_theme(&dir);
    let compensated = |name: &str, track_delay: &str| {
        let out = dir.join(name);
        let run = render_with(
            &theme,
            &out,
            "swell",
            "cinematic-studio-strings",
            &["--track-delay", track_delay],
        );
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        (
            events(&out),
            String::from_utf8_lossy(&run.stdout).into_owned(),
        )
    };
    // A track delay beyond every delay: nothing compensated, the notes on their beats.
    let (plain, _) = compensated("plain.mid", "1000");
    let (early, said) = compensated("early.mid", "0");
    assert!(
        said.contains("sent early by the articulation's delay"),
        "{said}"
    );
    // (channel, key) -> onsets, offs, velocities of the rendered (non-keyswitch) notes.
    let notes = |events: &[(f64, u8, What)]| {
        let mut out: Vec<(u8, u8, f64, f64, u8)> = Vec::new();
        let mut open: Vec<(u8, u8, f64, u8)> = Vec::new();
        for &(at, channel, event) in events {
            match event {
                What::On(key, vel) if !(24..=35).contains(&key) => {
                    open.push((channel, key, at, vel))
                }
                What::Off(key) if !(24..=35).contains(&key) => {
                    if let Some(i) = open.iter().position(|o| o.0 == channel && o.1 == key) {
                        let (c, k, on, v) = open.remove(i);
                        out.push((c, k, on, at, v));
                    }
                }
                _ => {}
            }
        }
        out.sort_by(|a, b| (a.0, a.1, a.2).partial_cmp(&(b.0, b.1, b.2)).unwrap());
        out
    };
    let (plain, early) = (notes(&plain), notes(&early));
    assert_eq!(plain.len(), early.len());
    // One tick at 90 BPM and 960 ticks a beat, seconds: the file's resolution.
    let tick = 60.0 / 90.0 / 960.0;
    let mut checked = 0;
    for (index, (p, e)) in plain.iter().zip(&early).enumerate() {
        assert_eq!((p.0, p.1), (e.0, e.1));
        // A legato transition joins the previous note on its channel; else a first note.
        let joins = plain
            .iter()
            .take(index)
            .chain(plain.iter().skip(index + 1))
            .any(|o| o.0 == p.0 && o.2 < p.2 && o.3 >= p.2 - 1e-6);
        let expected_ms = match (joins, p.4) {
            (true, 1..=64) => 333.0,
            (true, 65..=100) => 250.0,
            (true, _) => 100.0,
            (false, _) => 60.0,
        };
        if p.2 < expected_ms / 1000.0 + 0.002 {
            continue; // at the start: sent at once (late)
        }
        let shift_ms = (p.2 - e.2) * 1000.0;
        assert!(
            (shift_ms - expected_ms).abs() <= tick * 1000.0 + 1e-6,
            "channel {} key {} at {:.3} s: sent {shift_ms:.2} ms early, expected {expected_ms}",
            p.0 + 1,
            p.1,
            p.2
        );
        // The end stays where it was: the note sounds its full length.
        assert!((p.3 - e.3).abs() <= tick + 1e-9);
        eprintln!(
            "  channel {} key {} at {:.3} s: {shift_ms:.2} ms early ({})",
            p.0 + 1,
            p.1,
            p.2,
            if joins {
                "legato transition"
            } else {
                "first note"
            }
        );
        checked += 1;
    }
    eprintln!("delay compensation: {checked} notes sent early by their delay, each within a tick");
    assert!(checked >= 10, "{checked} notes checked");
    // Still every switch 1 ms before the note it serves.
    let (early_events, _) = compensated("early2.mid", "0");
    let is_keyswitch = |e: &What| matches!(e, What::On(key, _) if (24..=35).contains(key));
    assert_switches_lead(&early_events, is_keyswitch, "compensated");
    let run = render_with(
        &theme,
        &dir.join("x.mid"),
        "swell",
        "cinematic-studio-strings",
        &["--track-delay", "-5"],
    );
    assert_eq!(run.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
