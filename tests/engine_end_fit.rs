//! Fit to the next `end` hit in the live engine (issue 25): the running rendering is re-fitted
//! at its last launch before the cut so that the button (the tonic) starts on the cut's sample
//! (±1), pushed onto it within hit lock's 10 %, and nothing sounds past the cut plus the
//! button's ring — at several rates and block sizes, under a tempo change in the approach,
//! after a locate, for two cuts in a row and with the loop off. Everything under the
//! allocation guard, with the sampler's invariants (no key struck twice, nothing left
//! sounding).

#[path = "common/live.rs"]
mod live;

use live::*;
use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::fill::button_tonic;
use reprise::engine::hit_lock::HitOutcome;
use reprise::engine::hits::{Hit, HitName, Importance, Lands};
use reprise::engine::motif::{Motif, Note};
use reprise::engine::picture::Picture;
use reprise::engine::playback::locking::EndFit;
use reprise::engine::playback::LiveCapture;
use reprise::engine::timecode::{frames_to_seconds, FrameRate};

/// A two-bar 4/4 theme in A minor rising to a peak and falling back to the tonic.
fn theme() -> Motif {
    let mut motif = Motif::new(TimeSignature::new(4, 4), 100.0);
    let line = [
        (0.0, 1.0, 69),
        (1.0, 0.5, 71),
        (1.5, 0.5, 72),
        (2.0, 1.0, 74),
        (3.0, 1.0, 76),
        (4.0, 1.0, 77),
        (5.0, 1.0, 81),
        (6.0, 1.0, 76),
        (7.0, 1.0, 69),
    ];
    for (start, length, key) in line {
        motif.push(Note {
            start_beats: start,
            length_beats: length * 0.9,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    motif.finish();
    motif
}

fn settings(character: Character, ring_bars: f64) -> LiveSettings {
    LiveSettings {
        character: CharacterSettings {
            character,
            humanize: 0.0,
            ..CharacterSettings::default()
        },
        playback_mode: PlaybackMode::FollowTransport,
        looping: true,
        capture: LiveCapture::Off,
        hit_lock: true,
        fit_to_end_hit: true,
        end_ring_bars: ring_bars,
        ..LiveSettings::default()
    }
}

fn picture(hits: &[(i64, Lands)]) -> Picture {
    let mut picture = Picture {
        rate: FrameRate::Fps24,
        ..Picture::default()
    };
    for &(frame, lands) in hits {
        assert!(picture.hits.push(Hit {
            frame,
            name: HitName::new("cut"),
            lands,
            importance: Importance::Must,
        }));
    }
    picture
}

/// Blocks of a host whose tempo is a function of the beat (integrated sample by sample),
/// reporting beats, tempo and seconds at each block's start, from song zero to
/// `total_seconds`; each with its absolute first sample.
fn blocks(
    sample_rate: f64,
    total_seconds: f64,
    tempo_at: &dyn Fn(f64) -> f64,
    block_size: &dyn Fn(usize) -> u32,
) -> Vec<(u64, HostBlock)> {
    song_blocks_with_seconds(
        TimeSignature::new(4, 4),
        sample_rate,
        total_seconds,
        tempo_at,
        block_size,
    )
}

/// What a run heard and planned.
struct Run {
    heard: Sampler,
    /// Each hit's outcome, in the picture's order.
    outcomes: Vec<HitOutcome>,
    /// The fitted endings planned on the way (each once, in order).
    fits: Vec<EndFit>,
    /// The running rendering's length (a loop cycle), beats.
    loop_beats: f64,
    /// Whether the engine showed the fitted ending (for the editor) while it played, and the
    /// shown revision changed as it did.
    showed_fit: bool,
}

fn run(blocks: &[(u64, HostBlock)], settings: &LiveSettings, picture: &Picture) -> Run {
    run_at(48_000.0, blocks, settings, picture)
}

fn run_at(
    sample_rate: f64,
    blocks: &[(u64, HostBlock)],
    settings: &LiveSettings,
    picture: &Picture,
) -> Run {
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(sample_rate);
    engine.set_slot(0, &theme());
    engine.set_picture(picture);
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut heard = Sampler::default();
    let mut fits: Vec<EndFit> = Vec::new();
    let mut showed_fit = false;
    let mut shown_before = engine.shown_revision();
    let mut end = 0;
    for &(start, (num_samples, transport)) in blocks {
        let block = BlockInfo {
            num_samples,
            transport: Some(transport),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process(&block, settings, [] as [Event; 0], &mut out);
        });
        heard.hear_at(start, out.as_slice());
        out.clear();
        if let Some((_, ending)) = engine.end_fit() {
            if std::ptr::eq(engine.rendering(), ending) && engine.shown_revision() != shown_before {
                showed_fit = true;
            }
        }
        shown_before = engine.shown_revision();
        if let Some((fit, _)) = engine.end_fit() {
            if fits.last().is_none_or(|last| {
                (last.hit_index, last.launch_beats) != (fit.hit_index, fit.launch_beats)
            }) {
                fits.push(fit);
            }
        }
        end = start + u64::from(num_samples);
    }
    let outcomes = (0..picture.hits.len())
        .map(|i| engine.hit_outcome(i))
        .collect();
    let loop_beats = engine.loop_rendering().length_beats;
    assert_sampler_invariants(&mut engine, &mut heard, end, &mut out);
    Run {
        heard,
        outcomes,
        fits,
        loop_beats,
        showed_fit,
    }
}

fn cut_sample(frame: i64, sample_rate: f64) -> f64 {
    frames_to_seconds(frame, FrameRate::Fps24) * sample_rate
}

/// The tonic pitch class the button sounds.
fn tonic(character: Character) -> u8 {
    let settings = settings(character, 1.0);
    button_tonic(&theme(), &settings.character).expect("a key") % 12
}

/// Checks the ending on a cut at sample `cut` with a ring of `ring_samples`: the last onsets
/// heard are the button (tonic only) on the cut's sample ±1, nothing starts after them, and
/// nothing sounds past the cut plus the ring. Returns the button's first onset minus the cut.
fn assert_button_on_the_cut(
    heard: &Sampler,
    cut: f64,
    ring_samples: f64,
    tonic: u8,
    what: &str,
) -> f64 {
    let near: Vec<&HeardNote> = heard
        .notes
        .iter()
        .filter(|n| (n.on as f64 - cut).abs() <= 1.0)
        .collect();
    assert!(
        !near.is_empty(),
        "{what}: nothing starts on the cut's sample {cut:.1}"
    );
    for note in &near {
        assert_eq!(
            note.key % 12,
            tonic,
            "{what}: a note on the cut that is not the tonic: key {}",
            note.key
        );
    }
    let onset = near.iter().map(|n| n.on).min().unwrap() as f64;
    // Nothing after the button starts within its ring, nor sounds past it.
    let ring_end = cut + ring_samples;
    for note in &heard.notes {
        let on = note.on as f64;
        if on > cut + 1.0 && on < ring_end + 1.0 {
            panic!("{what}: a note starts at {on} after the button (cut {cut:.1})");
        }
        if on <= cut + 1.0 {
            let off = note.off.expect("every note ends") as f64;
            assert!(
                off <= ring_end + 1.0,
                "{what}: key {} sounds until {off}, past the cut plus the ring {ring_end:.1}",
                note.key
            );
        }
    }
    onset - cut
}

#[test]
fn the_button_starts_on_the_cut_in_every_character_and_block_size_and_nothing_rings_past_it() {
    // A cut at 00:00:30:11 (frame 731) at 100 BPM: 50.76 beats, 12.69 bars — off the grid.
    let frame = 731;
    let pic = picture(&[(frame, Lands::End)]);
    let steady = |_: f64| 100.0;
    let odd_sizes = |i: usize| [1u32, 7, 64, 333, 1024, 129][i % 6];
    let sizes: [(&str, &dyn Fn(usize) -> u32); 3] = [
        ("64", &|_| 64),
        ("480", &|_| 480),
        ("1 to 1024", &odd_sizes),
    ];
    for character in [Character::Piano, Character::Swell, Character::Distant] {
        for (name, block_size) in sizes {
            for ring in [1.0, 0.5] {
                let blocks = blocks(48_000.0, 36.0, &steady, block_size);
                let run = run(&blocks, &settings(character, ring), &pic);
                let what = format!("{character:?}, blocks {name}, ring {ring}");
                assert_eq!(run.outcomes[0], HitOutcome::Locked, "{what}");
                assert!(
                    run.showed_fit,
                    "{what}: the editor is shown the fitted ending"
                );
                let cut = cut_sample(frame, 48_000.0);
                let ring_samples = ring * 4.0 * 60.0 / 100.0 * 48_000.0;
                let off = assert_button_on_the_cut(
                    &run.heard,
                    cut,
                    ring_samples,
                    tonic(character),
                    &what,
                );
                eprintln!("end hit: {what}: button {off:+.2} samples from the cut");
                // The fit starts at a launch of the running rendering (a whole number of
                // cycles from the song's first bar), the last that leaves room for a whole
                // statement before the cut (Distant's 14-bar loop has none: the first); the loop
                // plays before it.
                let fit = run.fits.last().expect("a fitted ending");
                let cycles = fit.launch_beats / run.loop_beats;
                assert_eq!(cycles, cycles.round(), "{what}: the fit starts at a launch");
                let cut_beats = cut / 48_000.0 * 100.0 / 60.0;
                let span = cut_beats - fit.launch_beats;
                assert!(
                    span < 2.0 * run.loop_beats
                        && (fit.launch_beats == 0.0 || span >= run.loop_beats),
                    "{what}: the fit from beat {} to the cut at {cut_beats:.2} (loop {})",
                    fit.launch_beats,
                    run.loop_beats
                );
                if fit.launch_beats > 0.0 {
                    let launch = fit.launch_beats * 0.6 * 48_000.0;
                    assert!(
                        run.heard.notes.iter().any(|n| (n.on as f64) < launch),
                        "{what}: the loop plays before the fitted ending"
                    );
                }
            }
        }
    }
}

#[test]
fn the_button_lands_at_44_1_96_and_192_khz_pushed_later_onto_the_cut() {
    // A cut at 29.5 s (frame 708) at 100 BPM: 12.29 bars, so the button's bar line is pulled
    // later onto it, and its half-bar ring ends between the variation's own end and the next
    // bar line (where nothing of it is due any more, yet its notes must end on their sample).
    let frame = 708;
    let pic = picture(&[(frame, Lands::End)]);
    let steady = |_: f64| 100.0;
    for sample_rate in [44_100.0, 96_000.0, 192_000.0] {
        let blocks = blocks(sample_rate, 36.0, &steady, &|i| [64u32, 1000, 17][i % 3]);
        let run = run_at(sample_rate, &blocks, &settings(Character::Swell, 0.5), &pic);
        assert_eq!(run.outcomes[0], HitOutcome::Locked, "{sample_rate} Hz");
        let cut = cut_sample(frame, sample_rate);
        let ring = 0.5 * 4.0 * 60.0 / 100.0 * sample_rate;
        let what = format!("Swell at {sample_rate} Hz");
        let off = assert_button_on_the_cut(&run.heard, cut, ring, tonic(Character::Swell), &what);
        eprintln!("end hit: {what}: button {off:+.2} samples from the cut");
    }
}

#[test]
fn a_tempo_change_in_the_approach_and_a_locate_still_land_the_button_on_the_cut() {
    let frame = 731;
    let pic = picture(&[(frame, Lands::End)]);
    // The tempo rises 4 % two bars before the cut: the push bends the rest of the approach.
    let late_step = |beats: f64| if beats < 43.0 { 100.0 } else { 104.0 };
    let blocks = blocks(48_000.0, 36.0, &late_step, &|_| 256);
    let cut = cut_sample(frame, 48_000.0);
    let settings = settings(Character::Swell, 1.0);
    let run_all = run(&blocks, &settings, &pic);
    assert_eq!(run_all.outcomes[0], HitOutcome::Locked);
    let ring = 4.0 * 60.0 / 104.0 * 48_000.0;
    let off = assert_button_on_the_cut(
        &run_all.heard,
        cut,
        ring,
        tonic(Character::Swell),
        "tempo step",
    );
    eprintln!("end hit: tempo step in the approach: {off:+.2} samples");
    // Located to 4 s before the cut (inside the fitted ending): the same button, same sample.
    let located: Vec<(u64, HostBlock)> = blocks
        .iter()
        .copied()
        .filter(|(start, _)| *start as f64 >= cut - 4.0 * 48_000.0)
        .collect();
    let run_located = run(&located, &settings, &pic);
    let off = assert_button_on_the_cut(
        &run_located.heard,
        cut,
        ring,
        tonic(Character::Swell),
        "locate",
    );
    eprintln!("end hit: after a locate: {off:+.2} samples");
}

#[test]
fn after_a_cut_nothing_plays_until_the_next_scenes_ending_which_lands_too() {
    // Two scenes: cuts at 20.0 s and 41.5 s (frames 480 and 996) at 96 BPM.
    let pic = picture(&[(480, Lands::End), (996, Lands::End)]);
    let steady = |_: f64| 96.0;
    let blocks = blocks(48_000.0, 46.0, &steady, &|_| 512);
    let run = run(&blocks, &settings(Character::Piano, 1.0), &pic);
    assert_eq!(run.outcomes, vec![HitOutcome::Locked, HitOutcome::Locked]);
    let ring = 4.0 * 60.0 / 96.0 * 48_000.0;
    let first_cut = cut_sample(480, 48_000.0);
    let second_cut = cut_sample(996, 48_000.0);
    let tonic = tonic(Character::Piano);
    let before_second = Sampler {
        notes: run
            .heard
            .notes
            .iter()
            .filter(|n| (n.on as f64) < first_cut + ring)
            .cloned()
            .collect(),
        ..Sampler::default()
    };
    assert_button_on_the_cut(&before_second, first_cut, ring, tonic, "first cut");
    assert_button_on_the_cut(&run.heard, second_cut, ring, tonic, "second cut");
    assert_eq!(run.fits.len(), 2, "one fitted ending a scene");
    // The second scene starts on the first bar line after the first cut's ring (beat 32 + a
    // bar), in silence until then: not on a launch of the loop that no longer plays.
    assert_eq!(run.fits[1].launch_beats, 36.0, "{:?}", run.fits[1]);
    // Between the first button's ring and the second fit's launch, silence.
    let second_launch = run.fits[1].launch_beats * 60.0 / 96.0 * 48_000.0;
    let between = run
        .heard
        .notes
        .iter()
        .filter(|n| (n.on as f64) > first_cut + 1.0 && (n.on as f64) < second_launch - 1.0)
        .count();
    assert_eq!(
        between, 0,
        "notes between the first cut and the next scene's ending"
    );
}

#[test]
fn with_fit_to_end_hit_off_the_cut_lands_nothing_and_the_loop_plays_on() {
    let frame = 731;
    let pic = picture(&[(frame, Lands::End)]);
    let steady = |_: f64| 100.0;
    let blocks = blocks(48_000.0, 36.0, &steady, &|_| 256);
    let off = LiveSettings {
        fit_to_end_hit: false,
        ..settings(Character::Swell, 1.0)
    };
    let run = run(&blocks, &off, &pic);
    assert_eq!(run.outcomes[0], HitOutcome::NotHandled);
    assert!(run.fits.is_empty());
    let cut = cut_sample(frame, 48_000.0);
    assert!(
        run.heard.notes.iter().any(|n| n.on as f64 > cut + 48_000.0),
        "the loop plays on past the cut"
    );
}

#[test]
fn with_the_loop_off_the_fitted_ending_alone_plays_from_the_first_bar() {
    let frame = 731;
    let pic = picture(&[(frame, Lands::End)]);
    let steady = |_: f64| 100.0;
    let blocks = blocks(48_000.0, 36.0, &steady, &|_| 300);
    let once = LiveSettings {
        looping: false,
        ..settings(Character::Swell, 1.0)
    };
    let run = run(&blocks, &once, &pic);
    assert_eq!(run.outcomes[0], HitOutcome::Locked);
    let cut = cut_sample(frame, 48_000.0);
    let ring = 4.0 * 60.0 / 100.0 * 48_000.0;
    assert_button_on_the_cut(&run.heard, cut, ring, tonic(Character::Swell), "loop off");
    let fit = run.fits.last().unwrap();
    assert_eq!(
        fit.launch_beats, 0.0,
        "nothing else plays: the fit takes the scene"
    );
    assert_eq!(
        fit.body_bars, 13,
        "12.69 bars to the cut: 13 whole bars, pushed back onto it"
    );
}

#[test]
fn a_waltz_theme_in_a_four_four_song_counts_its_own_bars_and_still_lands() {
    // The motif in 3/4, the host in 4/4: the fitted ending is whole bars of the motif, started
    // at a launch of the running rendering, its button on the cut.
    let mut waltz = Motif::new(TimeSignature::new(3, 4), 100.0);
    for (start, length, key) in [
        (0.0, 2.0, 69),
        (2.0, 1.0, 72),
        (3.0, 1.0, 76),
        (4.0, 1.0, 74),
        (5.0, 1.0, 72),
        (6.0, 3.0, 69),
    ] {
        waltz.push(Note {
            start_beats: start,
            length_beats: length * 0.95,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    waltz.finish();
    let frame = 731;
    let pic = picture(&[(frame, Lands::End)]);
    let steady = |_: f64| 100.0;
    let blocks =
        song_blocks_with_seconds(TimeSignature::new(4, 4), 48_000.0, 36.0, &steady, &|_| 256);
    let settings = settings(Character::Swell, 1.0);
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(48_000.0);
    engine.set_slot(0, &waltz);
    engine.set_picture(&pic);
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut heard = Sampler::default();
    let mut end = 0;
    let mut fit = None;
    for &(start, (num_samples, transport)) in &blocks {
        let block = BlockInfo {
            num_samples,
            transport: Some(transport),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process(&block, &settings, [] as [Event; 0], &mut out);
        });
        heard.hear_at(start, out.as_slice());
        out.clear();
        fit = fit.or(engine.end_fit().map(|(f, _)| f));
        end = start + u64::from(num_samples);
    }
    assert_eq!(engine.hit_outcome(0), HitOutcome::Locked);
    let tonic = button_tonic(&waltz, &settings.character).unwrap() % 12;
    let cut = cut_sample(frame, 48_000.0);
    let ring = 3.0 * 60.0 / 100.0 * 48_000.0;
    assert_button_on_the_cut(&heard, cut, ring, tonic, "waltz in 4/4");
    // It starts where the running rendering (whole 3/4 bars) launches again.
    let fit = fit.expect("a fitted ending");
    let cycles = fit.launch_beats / engine.loop_rendering().length_beats;
    assert_eq!(cycles, cycles.round(), "at a launch of the loop: {fit:?}");
    assert_sampler_invariants(&mut engine, &mut heard, end, &mut out);
}

#[test]
fn every_pass_of_a_host_loop_over_the_cut_ends_on_it_with_wraps_inside_blocks() {
    // A host loop of bars 1–15 (60 beats = 36 s at 100 BPM) holding the cut at 30.46 s, three
    // passes in 333-sample blocks: the loop end falls inside a block.
    let frame = 731;
    let pic = picture(&[(frame, Lands::End)]);
    let (tempo, sample_rate) = (100.0, 48_000.0);
    let samples_per_beat = sample_rate * 60.0 / tempo;
    let loop_samples = (60.0 * samples_per_beat) as u64;
    let block = 333u32;
    let mut blocks = Vec::new();
    let mut sample = 0u64;
    while sample < 3 * loop_samples {
        let in_loop = sample % loop_samples;
        let mut info = transport(
            in_loop as f64 / samples_per_beat,
            tempo,
            TimeSignature::new(4, 4),
        );
        info.loop_range_beats = Some((0.0, 60.0));
        info.pos_seconds = Some(in_loop as f64 / sample_rate);
        blocks.push((sample, (block, info)));
        sample += u64::from(block);
    }
    let run = run(&blocks, &settings(Character::Swell, 1.0), &pic);
    let cut = cut_sample(frame, sample_rate);
    let ring = 4.0 * 60.0 / tempo * sample_rate;
    for pass in 0..3u64 {
        let start = pass * loop_samples;
        let this_pass = Sampler {
            notes: run
                .heard
                .notes
                .iter()
                .filter(|n| n.on >= start && n.on < start + loop_samples)
                .map(|n| HeardNote {
                    on: n.on - start,
                    off: n.off.map(|off| off - start),
                    ..*n
                })
                .collect(),
            ..Sampler::default()
        };
        let what = format!("pass {pass}");
        let off = assert_button_on_the_cut(&this_pass, cut, ring, tonic(Character::Swell), &what);
        eprintln!("end hit in a host loop, {what}: button {off:+.2} samples from the cut");
        // The rendering comes back after the wrap: the pass opens with notes.
        assert!(
            this_pass
                .notes
                .iter()
                .any(|n| (n.on as f64) < 4.0 * samples_per_beat),
            "{what}: the loop's start plays again"
        );
    }
}

#[test]
fn fit_to_end_hit_automated_on_and_off_mid_ending_leaves_no_key_held_twice_or_hanging() {
    // The setting flips every 2.3 s (and the ring with it) while the fitted ending plays: each
    // change swaps what the scheduler plays; the sampler's invariants must hold throughout.
    let frame = 731;
    let pic = picture(&[(frame, Lands::End)]);
    let steady = |_: f64| 100.0;
    let blocks = blocks(48_000.0, 36.0, &steady, &|i| [64u32, 1000, 17, 480][i % 4]);
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(48_000.0);
    engine.set_slot(0, &theme());
    engine.set_picture(&pic);
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut heard = Sampler::default();
    let mut end = 0;
    for &(start, (num_samples, transport)) in &blocks {
        let on = ((start as f64 / 48_000.0 / 2.3) as u64).is_multiple_of(2);
        let settings = LiveSettings {
            fit_to_end_hit: on,
            end_ring_bars: if on { 1.0 } else { 0.5 },
            ..settings(Character::Swell, 1.0)
        };
        let block = BlockInfo {
            num_samples,
            transport: Some(transport),
        };
        nice_assert_no_alloc::assert_no_alloc(|| {
            engine.process(&block, &settings, [] as [Event; 0], &mut out);
        });
        heard.hear_at(start, out.as_slice());
        out.clear();
        end = start + u64::from(num_samples);
    }
    assert!(heard.notes.len() > 20, "it played");
    assert_eq!(heard.double_strikes, 0, "a key struck twice");
    assert_eq!(heard.stray_offs, 0);
    assert_sampler_invariants(&mut engine, &mut heard, end, &mut out);
}
