//! Articulations in the live engine (issue 26): with a sample library's profile chosen, every
//! rendered note goes out its articulation's delay before its beat (±1 sample at a steady
//! tempo) so it *sounds* where the plain rendering plays it, and its note-off stays on its
//! beat; every switch goes out at least 1 ms (48 samples at 48 kHz) before the note it serves,
//! with the articulation that note's role asks for; after a start, a locate and each host loop
//! wrap the articulation in force is sent again before the first note (chase); keyswitch
//! notes always get their note-offs and rendered notes never fall on a keyswitch key. All
//! under the allocation guard, with the sampler's invariants (no key struck twice, nothing left
//! sounding), and the same output whatever the block sizes.

#[path = "common/live.rs"]
mod live;

use live::*;
use reprise::engine::articulation::choices::PROFILE_CHOICES;
use reprise::engine::articulation::profile::UACC_CC;
use reprise::engine::articulation::{ArticulationSettings, Profile};
use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::event::EventKind;
use reprise::engine::motif::{Motif, Note};
use reprise::engine::playback::LiveCapture;
use reprise::engine::rendering::{Rendering, Voice};

/// Three phrases in four bars of 3/4, the middle one rising to the climax. (Swell's legato
/// carries its line over the rests, so it plays the whole theme legato.)
fn theme() -> Motif {
    let mut motif = Motif::new(TimeSignature::new(3, 4), 100.0);
    let line = [
        (0.0, 60),
        (1.0, 62),
        (2.0, 64),
        (4.0, 65),
        (5.0, 67),
        (6.0, 72),
        (7.0, 71),
        (9.0, 67),
        (10.0, 64),
        (11.0, 60),
    ];
    for (start, key) in line {
        motif.push(Note {
            start_beats: start,
            length_beats: 1.0,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    motif.finish();
    motif
}

/// The index of the factory profile `id` (as the plugin's parameter picks it).
fn profile_index(id: &str) -> Option<usize> {
    PROFILE_CHOICES
        .iter()
        .find(|choice| choice.id == id)
        .and_then(|choice| choice.value)
}

fn settings(profile: Option<&str>) -> LiveSettings {
    LiveSettings {
        character: CharacterSettings {
            character: Character::Swell,
            humanize: 0.0,
            intensity: 0.6,
            ..CharacterSettings::default()
        },
        playback_mode: PlaybackMode::FollowTransport,
        looping: true,
        capture: LiveCapture::Off,
        articulation: ArticulationSettings {
            profile: profile.and_then(profile_index),
            ..ArticulationSettings::default()
        },
        ..LiveSettings::default()
    }
}

fn engine() -> Box<LiveEngine> {
    let mut engine = Box::new(LiveEngine::new());
    engine.set_slot(0, &theme());
    engine
}

/// Note-ons as (channel, key, sample), with the velocity > 0.
fn note_ons(events: &[(u64, Event)]) -> Vec<(u8, u8, u64)> {
    events
        .iter()
        .filter_map(|(at, e)| match e.kind {
            EventKind::NoteOn {
                channel,
                key,
                velocity,
                ..
            } if velocity > 0.0 => Some((channel, key, *at)),
            _ => None,
        })
        .collect()
}

fn note_offs(events: &[(u64, Event)]) -> Vec<(u8, u8, u64)> {
    events
        .iter()
        .filter_map(|(at, e)| match e.kind {
            EventKind::NoteOff { channel, key, .. } => Some((channel, key, *at)),
            _ => None,
        })
        .collect()
}

/// What a run heard and what the engine sent, kept before the run's closing stop and reset.
struct Run {
    events: Vec<(u64, Event)>,
    /// (first sample, song beat, launch) of every block.
    launches: Vec<(u64, f64, Option<f64>)>,
    sent: Rendering,
}

/// Runs a fresh engine over the steady `song` with `settings`, in blocks from `next_block`
/// (each with the host loop's position, as [`output_with_blocks`] does), under the allocation
/// guard; checks the sampler's invariants at the end.
fn run(settings: &LiveSettings, song: SteadySong, mut next_block: impl FnMut() -> u32) -> Run {
    let mut engine = engine();
    engine.prepare(song.sample_rate);
    let beats_per_sample = song.tempo / 60.0 / song.sample_rate;
    let position_at = |sample: u64| {
        let beats = sample as f64 * beats_per_sample;
        match song.loop_beats {
            Some((start, end)) if beats >= end => start + (beats - end) % (end - start),
            _ => beats,
        }
    };
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut sampler = Sampler::default();
    let mut run = Run {
        events: Vec::new(),
        launches: Vec::new(),
        sent: Rendering::new(),
    };
    let mut now = 0u64;
    while now < song.total_samples {
        let num_samples = next_block()
            .clamp(1, 16_384)
            .min((song.total_samples - now) as u32);
        let mut info = transport(position_at(now), song.tempo, TimeSignature::new(3, 4));
        info.loop_range_beats = song.loop_beats;
        let block = BlockInfo {
            num_samples,
            transport: Some(info),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process(&block, settings, [] as [Event; 0], &mut out);
        });
        sampler.hear_at(now, out.as_slice());
        run.events.extend(out.as_slice().iter().map(|e| {
            let at = now + u64::from(e.timing_samples);
            (
                at,
                Event {
                    timing_samples: 0,
                    ..*e
                },
            )
        }));
        out.clear();
        run.launches
            .push((now, info.pos_beats, engine.launch_beats()));
        now += u64::from(num_samples);
    }
    run.sent.clone_from(engine.sent_rendering());
    assert_sampler_invariants(&mut engine, &mut sampler, now, &mut out);
    run
}

/// The steady song of these scenarios: 100 BPM in 3/4 for 30 s at 48 kHz.
fn song(loop_beats: Option<(f64, f64)>) -> SteadySong {
    SteadySong {
        sample_rate: SAMPLE_RATE,
        tempo: 100.0,
        loop_beats,
        total_samples: (30.0 * SAMPLE_RATE) as u64,
        automation_every_samples: None,
    }
}

#[test]
fn every_note_goes_out_its_delay_early_and_sounds_where_the_plain_rendering_plays_it() {
    let id = "cinematic-studio-strings";
    let profile = Profile::factory(id).expect("factory profile");
    let zones = profile.keyswitch_zones();
    let plain = run(&settings(None), song(None), || 480).events;
    let mut sizes = [64u32, 480, 1, 333, 1024, 17].into_iter().cycle();
    let articulated = run(&settings(Some(id)), song(None), || sizes.next().unwrap());
    let sent = &articulated.sent;
    let articulated = &articulated.events;
    assert!(
        sent.max_lead_seconds > 0.1,
        "the profile's delays are in force"
    );
    let is_switch_key = |key: u8| zones.iter().any(|&(lo, hi)| (lo..=hi).contains(&key));
    let plain_ons = note_ons(&plain);
    let ons: Vec<_> = note_ons(articulated)
        .into_iter()
        .filter(|&(_, key, _)| !is_switch_key(key))
        .collect();
    assert!(plain_ons.iter().all(|&(_, key, _)| !is_switch_key(key)));
    // Each rendered note's possible leads, by (channel, key), in samples.
    let leads_of = |channel: u8, key: u8| -> Vec<i64> {
        sent.notes
            .iter()
            .filter(|n| n.voice != Voice::Keyswitch && n.channel == channel && n.key == key)
            .map(|n| (f64::from(n.lead_seconds) * SAMPLE_RATE).round() as i64)
            .collect()
    };
    // After the first notes (which fall due at the start, sooner than their delay) and before
    // the end (where a lead reaches past the run).
    let steady = (SAMPLE_RATE as u64)..(28.0 * SAMPLE_RATE) as u64;
    let plain_steady: Vec<_> = plain_ons
        .iter()
        .filter(|(_, _, at)| steady.contains(at))
        .collect();
    assert!(plain_steady.len() > 40, "{} notes", plain_steady.len());
    let mut compensated = 0;
    for &&(channel, key, at) in &plain_steady {
        let leads = leads_of(channel, key);
        let found = ons.iter().any(|&(c, k, sent_at)| {
            c == channel
                && k == key
                && leads
                    .iter()
                    .any(|lead| (at as i64 - lead - sent_at as i64).abs() <= 1)
        });
        assert!(
            found,
            "the note {key} on channel {channel} sounding at sample {at} was not sent its \
             delay early (leads {leads:?} samples)"
        );
        if leads.iter().any(|&lead| lead > 0) {
            compensated += 1;
        }
    }
    assert!(compensated > 40, "{compensated} notes compensated");
    // And every note sent is one of those, its delay early.
    let extra: Vec<_> = ons
        .iter()
        .filter(|(_, _, at)| steady.contains(at))
        .filter(|&&(c, k, at)| {
            let leads = leads_of(c, k);
            !plain_ons.iter().any(|&(pc, pk, pat)| {
                pc == c
                    && pk == k
                    && leads
                        .iter()
                        .any(|lead| (pat as i64 - lead - at as i64).abs() <= 1)
            })
        })
        .collect();
    assert!(
        extra.is_empty(),
        "sent without a plain note its delay later: {extra:?}"
    );
    // The note-offs stay on their beats — unless the same key is struck again sooner (the next
    // note on it goes out its delay early): then it ends there, never held twice.
    let offs = note_offs(articulated);
    let plain_offs: Vec<_> = note_offs(&plain)
        .into_iter()
        .filter(|&(_, _, at)| steady.contains(&at))
        .collect();
    let mut cut_short = 0;
    for &(channel, key, at) in &plain_offs {
        if offs.contains(&(channel, key, at)) {
            continue;
        }
        let restruck = offs
            .iter()
            .any(|&(c, k, off)| c == channel && k == key && off < at && ons.contains(&(c, k, off)));
        assert!(restruck, "the note-off of {key} at {at} moved");
        cut_short += 1;
    }
    assert!(
        cut_short * 4 < plain_offs.len(),
        "{cut_short} notes cut short"
    );
}

/// For each rendered note-on (not a switch) at or after `from`: the switch in force on its
/// channel — the latest `cc` event there before it, sent after the latest of `restarts`
/// before the note — went out at least 48 samples before it, with the value `expected(note)`.
fn assert_switched_before_each_note(
    events: &[(u64, Event)],
    cc: u8,
    restarts: &[u64],
    from: u64,
    expected: impl Fn(u8, u8, u64) -> u8,
) -> usize {
    let mut checked = 0;
    for (channel, key, at) in note_ons(events) {
        if at < from {
            continue;
        }
        let restart = restarts
            .iter()
            .copied()
            .filter(|&r| r <= at)
            .max()
            .unwrap_or(0);
        let switch = events
            .iter()
            .rev()
            .filter_map(|(sent, e)| match e.kind {
                EventKind::ControlChange {
                    channel: c,
                    cc: number,
                    value,
                } if c == channel && number == cc && *sent <= at && *sent >= restart => {
                    Some((*sent, (value * 127.0).round() as u8))
                }
                _ => None,
            })
            .next();
        let Some((sent, value)) = switch else {
            panic!(
                "no switch on channel {channel} before the note {key} at {at} (restart {restart})"
            );
        };
        assert!(
            at - sent >= 48,
            "the switch at {sent} is {} samples before the note {key} at {at}",
            at - sent
        );
        assert_eq!(
            value,
            expected(channel, key, at),
            "the articulation before the note {key} at {at}"
        );
        checked += 1;
    }
    checked
}

/// Where in its loop cycle the rendering is at sample `at`, from the blocks' song positions
/// and launches.
fn local_beats(
    launches: &[(u64, f64, Option<f64>)],
    length: f64,
    beats_per_sample: f64,
    at: u64,
) -> f64 {
    let &(start, pos, launch) = launches.iter().rev().find(|(s, _, _)| *s <= at).unwrap();
    let beats = pos + (at - start) as f64 * beats_per_sample;
    (beats - launch.expect("playing")).rem_euclid(length)
}

/// The UACC value the sent rendering gives the note `key` on `channel` whose onset falls at
/// `local_beats` of its loop cycle: the last switch point at or before it (else the cycle's
/// last, carried over from the cycle before).
fn uacc_in_force(sent: &Rendering, channel: u8, local_beats: f64) -> u8 {
    let points: Vec<_> = sent
        .ccs
        .iter()
        .filter(|p| p.cc == UACC_CC && p.channel == channel && p.lead_seconds > 0.0)
        .collect();
    let point = points
        .iter()
        .rev()
        .find(|p| p.beats <= local_beats + 1e-6)
        .or(points.last())
        .expect("switch points");
    (point.value * 127.0).round() as u8
}

#[test]
fn every_switch_goes_out_a_millisecond_ahead_and_is_chased_after_each_host_loop_wrap() {
    // A host loop of 7 bars of 3/4 from bar 2: the rendering is joined mid-cycle at each wrap.
    let loop_beats = (3.0, 24.0);
    let Run {
        events,
        launches,
        sent,
    } = {
        // Tiny blocks at the start (a note waiting its switch's millisecond spans several),
        // then a host's usual ones.
        let mut sizes = [1u32, 1, 7, 13].into_iter().chain(std::iter::repeat(256));
        run(
            &settings(Some("spitfire-uacc")),
            song(Some(loop_beats)),
            || sizes.next().unwrap(),
        )
    };
    let beats_per_sample = 100.0 / 60.0 / SAMPLE_RATE;
    let loop_samples = ((loop_beats.1 - loop_beats.0) / beats_per_sample).round() as u64;
    let first_wrap = (loop_beats.1 / beats_per_sample).round() as u64;
    let mut restarts = vec![0];
    let mut wrap = first_wrap;
    while wrap < events.last().unwrap().0 {
        restarts.push(wrap);
        wrap += loop_samples;
    }
    let length = sent.length_beats;
    let checked = assert_switched_before_each_note(&events, UACC_CC, &restarts, 0, |c, _, at| {
        uacc_in_force(
            &sent,
            c,
            local_beats(&launches, length, beats_per_sample, at),
        )
    });
    assert!(checked > 30, "{checked} notes checked");
    // Every wrap was chased: a UACC switch at the wrap's own sample.
    for &wrap in &restarts[1..] {
        assert!(
            events.iter().any(|(at, e)| *at == wrap
                && matches!(e.kind, EventKind::ControlChange { cc, .. } if cc == UACC_CC)),
            "no chase at the wrap at {wrap}"
        );
    }
    assert!(restarts.len() >= 3, "{} wraps", restarts.len() - 1);
}

#[test]
fn after_a_locate_the_articulation_in_force_is_sent_before_the_first_note() {
    let mut engine = engine();
    engine.prepare(SAMPLE_RATE);
    let settings = settings(Some("spitfire-uacc"));
    let tempo = 100.0;
    let beats_per_sample = tempo / 60.0 / SAMPLE_RATE;
    let metre = TimeSignature::new(3, 4);
    // 6 s from beat 0, then a locate into the middle of the theme's second phrase (beat 40.5
    // of the song: the surge, if the rendering's cycle holds it there), then 6 s.
    let mut blocks = Vec::new();
    let mut beats = 0.0;
    for _ in 0..(6.0 * SAMPLE_RATE / 256.0) as usize {
        blocks.push((256u32, transport(beats, tempo, metre)));
        beats += 256.0 * beats_per_sample;
    }
    let locate_sample = blocks.len() as u64 * 256;
    let mut beats = 40.5;
    for _ in 0..(6.0 * SAMPLE_RATE / 256.0) as usize {
        blocks.push((256u32, transport(beats, tempo, metre)));
        beats += 256.0 * beats_per_sample;
    }
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut events = Vec::new();
    let mut sampler = Sampler::default();
    let mut launches = Vec::new();
    let mut now = 0u64;
    for (num_samples, info) in &blocks {
        let block = BlockInfo {
            num_samples: *num_samples,
            transport: Some(*info),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process(&block, &settings, [] as [Event; 0], &mut out);
        });
        sampler.hear_at(now, out.as_slice());
        events.extend(
            out.as_slice()
                .iter()
                .map(|e| (now + u64::from(e.timing_samples), *e)),
        );
        out.clear();
        launches.push((now, info.pos_beats, engine.launch_beats()));
        now += u64::from(*num_samples);
    }
    let mut sent = Rendering::new();
    sent.clone_from(engine.sent_rendering());
    assert_sampler_invariants(&mut engine, &mut sampler, now, &mut out);
    let length = sent.length_beats;
    let after_locate = assert_switched_before_each_note(
        &events,
        UACC_CC,
        &[0, locate_sample],
        locate_sample,
        |c, _, at| {
            uacc_in_force(
                &sent,
                c,
                local_beats(&launches, length, beats_per_sample, at),
            )
        },
    );
    assert!(after_locate > 5, "{after_locate} notes after the locate");
    // The chase goes out at the locate itself, before anything else of the rendering.
    let first_after = events
        .iter()
        .find(|(at, e)| *at >= locate_sample && !matches!(e.kind, EventKind::NoteOff { .. }))
        .expect("events after the locate");
    assert!(
        matches!(first_after.1.kind, EventKind::ControlChange { cc, .. } if cc == UACC_CC),
        "first event after the locate: {first_after:?}"
    );
    assert_eq!(first_after.0, locate_sample, "the chase waits");
}

#[test]
fn keyswitch_notes_end_and_rendered_notes_keep_off_the_keyswitch_keys() {
    for id in ["uacc-keyswitch", "cinematic-studio-strings"] {
        let profile = Profile::factory(id).expect("factory profile");
        let zones = profile.keyswitch_zones();
        let mut settings = settings(Some(id));
        // Three octaves down: the theme's low notes reach the keyswitch range of CSS (24-35).
        settings.character.transpose_semitones = -36;
        let Run { events, sent, .. } = run(&settings, song(Some((0.0, 21.0))), || 480);
        let ons = note_ons(&events);
        let switch_keys: Vec<_> = ons
            .iter()
            .filter(|(_, key, _)| zones.iter().any(|&(lo, hi)| (lo..=hi).contains(key)))
            .collect();
        assert!(!switch_keys.is_empty(), "{id}: no keyswitch sent");
        // Every keyswitch key went out as a switch: the rendered notes are elsewhere.
        let rendered = sent.notes.iter().filter(|n| n.voice != Voice::Keyswitch);
        for note in rendered {
            assert!(
                !zones.iter().any(|&(lo, hi)| (lo..=hi).contains(&note.key)),
                "{id}: a rendered note on the keyswitch key {}",
                note.key
            );
        }
        // Each keyswitch went out at least 48 samples before the next rendered note on its
        // channel (the sampler invariants already saw every one released).
        for &&(channel, key, at) in &switch_keys {
            let next = ons
                .iter()
                .filter(|(c, k, t)| {
                    *c == channel
                        && *t >= at
                        && !zones.iter().any(|&(lo, hi)| (lo..=hi).contains(k))
                })
                .map(|(_, _, t)| *t)
                .min();
            if let Some(next) = next {
                assert!(
                    next - at >= 48,
                    "{id}: keyswitch {key} at {at}, note at {next}"
                );
            }
        }
    }
}

#[test]
fn the_output_is_the_same_whatever_the_block_sizes() {
    let run = |sizes: &[u32]| {
        let mut sizes = sizes.iter().copied().cycle();
        run(
            &settings(Some("cinematic-studio-strings")),
            song(Some((3.0, 24.0))),
            || sizes.next().unwrap(),
        )
        .events
    };
    let reference = run(&[64]);
    assert!(reference.len() > 100);
    for sizes in [&[480u32][..], &[1, 1000, 37, 512, 3][..]] {
        let other = run(sizes);
        let first_difference = reference
            .iter()
            .zip(&other)
            .position(|(a, b)| a != b)
            .or((reference.len() != other.len()).then(|| reference.len().min(other.len())));
        if let Some(i) = first_difference {
            panic!(
                "blocks {sizes:?}: from event {i}: {:?} … instead of {:?} …",
                &other[i..other.len().min(i + 4)],
                &reference[i..reference.len().min(i + 4)]
            );
        }
    }
}

/// The rendered notes (not switches) a sampler heard, as (channel, key) in order, between two
/// absolute samples.
fn heard_notes(sampler: &Sampler, zones: &[(u8, u8)], from: u64, to: u64) -> Vec<(u8, u8)> {
    sampler
        .notes
        .iter()
        .filter(|n| !zones.iter().any(|&(lo, hi)| (lo..=hi).contains(&n.key)))
        .filter(|n| (from..to).contains(&n.on))
        .map(|n| (n.channel, n.key))
        .collect()
}

#[test]
fn a_tempo_ramp_neither_loses_nor_repeats_an_early_note() {
    // 90 → 150 BPM over 40 beats, tempo changing inside every 256-sample block: the leads are
    // worth more beats block by block.
    let tempo_at = |beats: f64| 90.0 + 60.0 * (beats / 40.0).min(1.0);
    let metre = |_| (TimeSignature::new(3, 4), 0.0);
    let (blocks, _) = song_blocks(&tempo_at, &metre, 48.0, 256, false);
    let profile = Profile::factory("cinematic-studio-strings").expect("factory profile");
    let zones = profile.keyswitch_zones();
    let total = blocks.len() as u64 * 256;
    let (from, to) = (SAMPLE_RATE as u64, total - SAMPLE_RATE as u64);
    let plain = drive(&mut engine(), &blocks, |_| settings(None), &[]).0;
    let articulated = drive(
        &mut engine(),
        &blocks,
        |_| settings(Some("cinematic-studio-strings")),
        &[],
    )
    .0;
    let want = heard_notes(&plain, &zones, from, to);
    // The articulated notes go out up to 333 ms sooner: compare the same notes.
    let got = heard_notes(&articulated, &zones, from - 16_000, to - 16_000);
    assert!(want.len() > 30, "{} notes", want.len());
    assert!(
        got.len().abs_diff(want.len()) <= 3,
        "{} notes sent for {} played",
        got.len(),
        want.len()
    );
    let sent_total = heard_notes(&articulated, &zones, 0, total).len();
    let plain_total = heard_notes(&plain, &zones, 0, total).len();
    assert!(
        sent_total >= plain_total && sent_total <= plain_total + 3,
        "over the whole song: {sent_total} sent, {plain_total} played plain"
    );
}

#[test]
fn with_blocks_shorter_than_a_millisecond_the_launch_note_is_not_lost() {
    let profile = Profile::factory("spitfire-uacc").expect("factory profile");
    let zones = profile.keyswitch_zones();
    for size in [16u32, 32] {
        let plain = run(&settings(None), song(Some((3.0, 24.0))), || size);
        let articulated = run(
            &settings(Some("spitfire-uacc")),
            song(Some((3.0, 24.0))),
            || size,
        );
        let count = |events: &[(u64, Event)]| {
            note_ons(events)
                .iter()
                .filter(|(_, key, _)| !zones.iter().any(|&(lo, hi)| (lo..=hi).contains(key)))
                .count()
        };
        assert_eq!(
            count(&articulated.events),
            count(&plain.events),
            "{size}-sample blocks: notes lost or added"
        );
    }
}
