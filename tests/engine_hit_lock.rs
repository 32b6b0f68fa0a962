//! Hit lock in the live engine (issue 24): with picture hits and the host's seconds timeline,
//! the note a hit asks for sounds on the hit's sample (±1) — under constant, stepped and ramped
//! tempo, at several sample rates and block sizes, after a locate and on every pass of a host
//! loop — and a hit the 10 % push cannot reach plays on the grid with its miss reported.
//! Everything under the allocation guard, with the sampler's invariants (no key struck twice,
//! nothing left sounding).

#[path = "common/live.rs"]
mod live;

use live::*;
use reprise::engine::character::{Character, CharacterSettings};
use reprise::engine::climax::climax_beats;
use reprise::engine::hit_lock::HitOutcome;
use reprise::engine::hits::{Hit, HitName, Importance, Lands};
use reprise::engine::motif::{Motif, Note};
use reprise::engine::picture::Picture;
use reprise::engine::playback::LiveCapture;
use reprise::engine::rendering::Voice;
use reprise::engine::time_map::TempoChange;
use reprise::engine::timecode::{frames_to_seconds, FrameRate};

/// A two-bar 4/4 theme rising to a peak (A5) in bar 2, then falling back.
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
        (7.0, 1.0, 72),
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

fn settings(character: Character) -> LiveSettings {
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
        ..LiveSettings::default()
    }
}

fn picture(hits: &[(i64, Lands, Importance)]) -> Picture {
    let mut picture = Picture {
        rate: FrameRate::Fps24,
        ..Picture::default()
    };
    for &(frame, lands, importance) in hits {
        assert!(picture.hits.push(Hit {
            frame,
            name: HitName::new("hit"),
            lands,
            importance,
        }));
    }
    picture
}

/// A host whose tempo is a function of the beat, integrated sample by sample, reporting beats,
/// tempo and seconds (sample ÷ rate) at each block's start; blocks sized by `block_size(i)`.
/// The song plays from `from_seconds` (a locate: the host reports the position there).
struct Host<'a> {
    sample_rate: f64,
    tempo_at: &'a dyn Fn(f64) -> f64,
    block_size: &'a dyn Fn(usize) -> u32,
}

impl Host<'_> {
    /// The blocks from song zero to `total_seconds`, and the first block index at or after
    /// `from_seconds` (where a located playback starts).
    fn blocks(&self, total_seconds: f64) -> Vec<(u64, HostBlock)> {
        song_blocks_with_seconds(
            TimeSignature::new(4, 4),
            self.sample_rate,
            total_seconds,
            self.tempo_at,
            self.block_size,
        )
    }
}

/// Runs the engine over `blocks` (absolute first sample, block) with `picture`; returns the
/// heard notes (absolute samples) and the engine.
fn run(
    blocks: &[(u64, HostBlock)],
    sample_rate: f64,
    character: Character,
    picture: &Picture,
) -> (Sampler, Played) {
    run_motif(&theme(), blocks, sample_rate, character, picture)
}

/// [`run`] with another motif.
fn run_motif(
    motif: &Motif,
    blocks: &[(u64, HostBlock)],
    sample_rate: f64,
    character: Character,
    picture: &Picture,
) -> (Sampler, Played) {
    run_known(motif, blocks, sample_rate, character, picture, &[])
}

/// [`run_motif`] with the song's tempo map known to hit lock (`tempo_map`: changes from the
/// song's zero; empty = only the picture's own map, if it has one).
fn run_known(
    motif: &Motif,
    blocks: &[(u64, HostBlock)],
    sample_rate: f64,
    character: Character,
    picture: &Picture,
    tempo_map: &[TempoChange],
) -> (Sampler, Played) {
    run_with(
        motif,
        blocks,
        sample_rate,
        &settings(character),
        picture,
        tempo_map,
    )
}

/// [`run_known`] with any settings.
fn run_with(
    motif: &Motif,
    blocks: &[(u64, HostBlock)],
    sample_rate: f64,
    settings: &LiveSettings,
    picture: &Picture,
    tempo_map: &[TempoChange],
) -> (Sampler, Played) {
    let character = settings.character.character;
    let mut engine = Box::new(LiveEngine::new());
    engine.prepare(sample_rate);
    engine.set_slot(0, motif);
    engine.set_picture(picture);
    if !tempo_map.is_empty() {
        engine.set_tempo_map(tempo_map);
    }
    let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
    let mut heard = Sampler::default();
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
        end = start + u64::from(num_samples);
    }
    let played = Played {
        climax: climax_note(&engine, character),
        first: {
            let first = engine.rendering().notes[0];
            (first.channel, first.key)
        },
        outcome: engine.hit_outcome(0),
        miss_seconds: engine.hit_miss_seconds(0),
    };
    assert_sampler_invariants(&mut engine, &mut heard, end, &mut out);
    (heard, played)
}

/// What the rendering that played was: its climax and first notes (channel, key), and what
/// became of the first hit.
struct Played {
    climax: (u8, u8),
    first: (u8, u8),
    outcome: HitOutcome,
    miss_seconds: Option<f64>,
}

/// The climax note of the engine's rendering: (channel, key).
fn climax_note(engine: &LiveEngine, character: Character) -> (u8, u8) {
    let rendering = engine.rendering();
    let at = climax_beats(rendering, character).expect("a climax");
    let note = rendering
        .voice(Voice::Melody)
        .find(|n| n.start_beats == at)
        .expect("the climax note");
    (note.channel, note.key)
}

/// The onset of `note` nearest `sample`, and its distance in samples.
fn nearest_onset(heard: &Sampler, (channel, key): (u8, u8), sample: f64) -> (u64, f64) {
    heard
        .notes
        .iter()
        .filter(|n| n.channel == channel && n.key == key)
        .map(|n| (n.on, (n.on as f64 - sample).abs()))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .expect("the note sounds")
}

fn hit_sample(frame: i64, sample_rate: f64) -> f64 {
    frames_to_seconds(frame, FrameRate::Fps24) * sample_rate
}

#[test]
fn a_swells_climax_sounds_on_the_hits_sample_at_every_rate_and_block_size() {
    // The door slam at 00:00:21:07 (frame 511) at 96 BPM: 34.06 beats, off every grid.
    let frame = 511;
    let picture = picture(&[(frame, Lands::Climax, Importance::Must)]);
    let tempo = |_: f64| 96.0;
    let odd_sizes = |i: usize| [1u32, 7, 64, 333, 1024, 129][i % 6];
    let sizes: [(&str, &dyn Fn(usize) -> u32); 4] = [
        ("64", &|_| 64),
        ("512", &|_| 512),
        ("8192", &|_| 8192),
        ("1 to 1024", &odd_sizes),
    ];
    for sample_rate in [44_100.0, 48_000.0, 96_000.0, 192_000.0] {
        for (name, block_size) in sizes {
            let host = Host {
                sample_rate,
                tempo_at: &tempo,
                block_size,
            };
            let (heard, played) = run(&host.blocks(28.0), sample_rate, Character::Swell, &picture);
            let climax = played.climax;
            let target = hit_sample(frame, sample_rate);
            let (on, off_by) = nearest_onset(&heard, climax, target);
            eprintln!(
                "hit error: {sample_rate} Hz, blocks {name}: {:+.2} samples",
                on as f64 - target
            );
            assert!(
                off_by <= 1.0,
                "{sample_rate} Hz, blocks {name}: the climax sounds at sample {on}, the hit is at {target:.1}"
            );
            assert_eq!(played.outcome, HitOutcome::Locked);
        }
    }
}

#[test]
fn the_climax_lands_under_stepped_and_ramped_tempo_read_from_the_hosts_seconds() {
    let frame = 700; // 29.17 s
    let picture = picture(&[(frame, Lands::Climax, Importance::Must)]);
    let stepped = |beats: f64| if beats < 20.0 { 100.0 } else { 108.0 };
    let ramped = |beats: f64| 90.0 + 20.0 * (beats / 40.0).clamp(0.0, 1.0);
    // A step inside the approach: the tempo changes a bar before the climax.
    let late_step = |beats: f64| if beats < 44.0 { 100.0 } else { 104.0 };
    let maps: [(&str, &dyn Fn(f64) -> f64); 3] = [
        ("stepped", &stepped),
        ("ramped", &ramped),
        ("stepped in the approach", &late_step),
    ];
    for (name, tempo_at) in maps {
        for block in [64u32, 500] {
            let host = Host {
                sample_rate: 48_000.0,
                tempo_at,
                block_size: &move |_| block,
            };
            let (heard, played) = run(&host.blocks(34.0), 48_000.0, Character::Swell, &picture);
            let climax = played.climax;
            let target = hit_sample(frame, 48_000.0);
            let (on, off_by) = nearest_onset(&heard, climax, target);
            eprintln!(
                "hit error: {name} tempo, {block}-sample blocks: {:+.2} samples",
                on as f64 - target
            );
            assert!(
                off_by <= 1.0,
                "{name} tempo, {block}-sample blocks: climax at {on}, hit at {target:.1}"
            );
        }
    }
}

#[test]
fn a_start_hit_takes_the_first_note_and_a_locate_joins_the_locked_layout() {
    let frame = 400; // 16.67 s
    let picture = picture(&[(frame, Lands::Start, Importance::Must)]);
    let tempo = |_: f64| 112.0;
    let host = Host {
        sample_rate: 48_000.0,
        tempo_at: &tempo,
        block_size: &|_| 256,
    };
    let blocks = host.blocks(24.0);
    let (heard, played) = run(&blocks, 48_000.0, Character::Piano, &picture);
    let first = played.first;
    let target = hit_sample(frame, 48_000.0);
    let (on, off_by) = nearest_onset(&heard, first, target);
    assert!(off_by <= 1.0, "first note at {on}, hit at {target:.1}");
    // Located to 3 s before the hit: the same note on the same sample.
    let located: Vec<(u64, HostBlock)> = blocks
        .iter()
        .copied()
        .filter(|(start, _)| *start as f64 >= target - 3.0 * 48_000.0)
        .collect();
    let (heard, _) = run(&located, 48_000.0, Character::Piano, &picture);
    let (on, off_by) = nearest_onset(&heard, first, target);
    assert!(
        off_by <= 1.0,
        "after a locate: first note at {on}, hit at {target:.1}"
    );
}

#[test]
fn every_pass_of_a_host_loop_lands_on_the_hit() {
    let frame = 300; // 12.5 s at 24 fps
    let picture = picture(&[(frame, Lands::Climax, Importance::Must)]);
    let tempo = 120.0;
    let sample_rate = 48_000.0;
    // A loop of bars 1–9 (32 beats = 16 s), three passes, in 480-sample blocks.
    let loop_range = (0.0, 32.0);
    let block = 480u32;
    let samples_per_beat = sample_rate * 60.0 / tempo;
    let loop_samples = (32.0 * samples_per_beat) as u64;
    let mut blocks = Vec::new();
    let mut sample = 0u64;
    while sample < 3 * loop_samples {
        let in_loop = sample % loop_samples;
        let mut info = transport(
            in_loop as f64 / samples_per_beat,
            tempo,
            TimeSignature::new(4, 4),
        );
        info.loop_range_beats = Some(loop_range);
        info.pos_seconds = Some(in_loop as f64 / sample_rate);
        blocks.push((sample, (block, info)));
        sample += u64::from(block);
    }
    let (heard, played) = run(&blocks, sample_rate, Character::Swell, &picture);
    let climax = played.climax;
    for pass in 0..3u64 {
        let target = hit_sample(frame, sample_rate) + (pass * loop_samples) as f64;
        let (on, off_by) = nearest_onset(&heard, climax, target);
        assert!(
            off_by <= 1.0,
            "pass {pass}: climax at {on}, hit at {target:.1}"
        );
    }
}

#[test]
fn a_hit_beyond_the_push_plays_on_the_grid_and_says_by_how_much() {
    // A one-bar theme in quarters whose climax is its last beat: there is no room to rejoin
    // the grid after it within the 10 % bound, so a hit 0.42 beat off the beat grid is missed:
    // the note plays on a beat, and the miss is reported.
    let mut motif = Motif::new(TimeSignature::new(4, 4), 120.0);
    for (i, key) in [60u8, 62, 64, 67].into_iter().enumerate() {
        motif.push(Note {
            start_beats: i as f64,
            length_beats: 0.9,
            key,
            velocity: 0.7,
            channel: 0,
        });
    }
    motif.finish();
    let frame = 245; // 10.21 s = beat 20.42 at 120 BPM
    let picture = picture(&[(frame, Lands::Climax, Importance::Must)]);
    let tempo = |_: f64| 120.0;
    let host = Host {
        sample_rate: 48_000.0,
        tempo_at: &tempo,
        block_size: &|_| 512,
    };
    let (heard, played) = run_motif(
        &motif,
        &host.blocks(14.0),
        48_000.0,
        Character::None,
        &picture,
    );
    let HitOutcome::Missed { by_beats } = played.outcome else {
        panic!("expected a reported miss, got {:?}", played.outcome);
    };
    // The statement starts on the bar nearest its ideal start (beat 17.42 → 16), so G4 plays
    // at beat 19, 1.42 beats before the hit.
    assert!((by_beats + 1.4167).abs() < 0.001, "{by_beats}");
    // The climax (G4) sounds where the miss says, on a beat of the song.
    let target = hit_sample(frame, 48_000.0);
    let landed = target + by_beats * 24_000.0;
    let (on, off_by) = nearest_onset(&heard, (0, 67), landed);
    assert!(off_by <= 1.0, "G4 at {on}, reported landing {landed:.1}");
    assert_eq!(on % 24_000, 0, "on a beat");
}

#[test]
fn a_tempo_change_at_a_statements_start_is_reported_and_a_known_tempo_map_lands_it() {
    // At 96 BPM the statement for the door slam (frame 511) starts on beat 24; there the song
    // jumps to 120 BPM. From the tempo in force Reprise cannot know it in time: the climax
    // needs a push past 10 %, so it plays on the grid and the miss is reported — and the note
    // sounds where the report says. With the song's tempo map known, it lands.
    let frame = 511;
    let picture = picture(&[(frame, Lands::Climax, Importance::Must)]);
    let tempo = |beats: f64| if beats < 24.0 { 96.0 } else { 120.0 };
    let host = Host {
        sample_rate: 48_000.0,
        tempo_at: &tempo,
        block_size: &|_| 256,
    };
    let blocks = host.blocks(26.0);
    let target = hit_sample(frame, 48_000.0);
    let (heard, played) = run(&blocks, 48_000.0, Character::Swell, &picture);
    let HitOutcome::Missed { .. } = played.outcome else {
        panic!("expected a reported miss, got {:?}", played.outcome);
    };
    let miss = played.miss_seconds.expect("a miss in seconds");
    let landed = target + miss * 48_000.0;
    let (on, off_by) = nearest_onset(&heard, played.climax, landed);
    assert!(
        off_by <= 1.0,
        "the climax sounds at {on}, the report says {landed:.1} ({miss:+.3} s from the hit)"
    );
    let map = [
        TempoChange {
            position_beats: 0.0,
            tempo_bpm: 96.0,
        },
        TempoChange {
            position_beats: 24.0,
            tempo_bpm: 120.0,
        },
    ];
    let (heard, played) = run_known(
        &theme(),
        &blocks,
        48_000.0,
        Character::Swell,
        &picture,
        &map,
    );
    assert_eq!(played.outcome, HitOutcome::Locked);
    let (on, off_by) = nearest_onset(&heard, played.climax, target);
    assert!(
        off_by <= 1.0,
        "with the map: climax at {on}, hit at {target:.1}"
    );
    // The same map imported into the picture (as the Picture tab saves it) does the same.
    let with_map = Picture {
        tempo_map: reprise::engine::picture::TempoList::from_changes(&map).0,
        tempo_source: reprise::engine::picture::TempoSource::Imported,
        ..picture
    };
    let (heard, played) = run(&blocks, 48_000.0, Character::Swell, &with_map);
    assert_eq!(played.outcome, HitOutcome::Locked);
    let (on, off_by) = nearest_onset(&heard, played.climax, target);
    assert!(
        off_by <= 1.0,
        "with the picture's map: climax at {on}, hit at {target:.1}"
    );
}

#[test]
fn a_tempo_change_heard_on_one_pass_lands_the_hit_on_the_next() {
    // A tempo map not imported: at 96 BPM the statement for the door slam (frame 511) starts
    // before the song slows to 80 at beat 28, too late to push into the hit within 10 %, so the
    // first pass from the song's zero misses (reported); Reprise learns the change as it hears it, so
    // after a locate back to zero the second pass lands the climax on the hit's sample. The
    // learnt map is what the picture saves.
    let frame = 511;
    let picture = picture(&[(frame, Lands::Climax, Importance::Must)]);
    let tempo = |beats: f64| if beats < 28.0 { 96.0 } else { 80.0 };
    for block_size in [64u32, 256, 1000] {
        let host = Host {
            sample_rate: 48_000.0,
            tempo_at: &tempo,
            block_size: &|_| block_size,
        };
        let blocks = host.blocks(26.0);
        let pass_samples = blocks
            .last()
            .map_or(0, |(start, (n, _))| start + u64::from(*n));
        let target = hit_sample(frame, 48_000.0);
        let mut engine = Box::new(LiveEngine::new());
        engine.prepare(48_000.0);
        engine.set_slot(0, &theme());
        engine.set_picture(&picture);
        let settings = settings(Character::Swell);
        let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
        let mut heard = Sampler::default();
        let mut outcomes = Vec::new();
        for pass in 0..2u64 {
            for &(start, (num_samples, transport)) in &blocks {
                let block = BlockInfo {
                    num_samples,
                    transport: Some(transport),
                };
                nice_assert_no_alloc::assert_no_alloc(|| {
                    engine.process(&block, &settings, [] as [Event; 0], &mut out);
                });
                heard.hear_at(pass * pass_samples + start, out.as_slice());
                out.clear();
            }
            outcomes.push(engine.hit_outcome(0));
        }
        let HitOutcome::Missed { .. } = outcomes[0] else {
            panic!(
                "block {block_size}: first pass should miss, got {:?}",
                outcomes[0]
            );
        };
        assert_eq!(outcomes[1], HitOutcome::Locked, "block {block_size}");
        let learnt = engine.learnt_tempo().expect("learning").0;
        assert_eq!(
            learnt.as_slice().len(),
            2,
            "block {block_size}: {:?}",
            learnt.as_slice()
        );
        let climax = climax_note(&engine, Character::Swell);
        let (on, off_by) = nearest_onset(&heard, climax, pass_samples as f64 + target);
        assert!(
            off_by <= 1.0,
            "block {block_size}: second pass climax at {on}, hit at {:.1}",
            pass_samples as f64 + target
        );
        assert_sampler_invariants(&mut engine, &mut heard, 2 * pass_samples, &mut out);
    }
}

#[test]
fn a_stinger_plays_the_head_on_its_frame_and_a_second_within_two_seconds_is_ignored() {
    // At 120 BPM: a stinger at 00:00:16:16 (frame 400) and another 1.5 s later (ignored). The
    // stinger plays the head — Swell's first two bars: the theme's first five notes, doubled —
    // instead of the running rendering, its first note on the frame; then the loop comes back
    // from the statement's start on a bar line (A4 again, not the theme's sixth note F5).
    let picture = picture(&[
        (400, Lands::Stinger, Importance::Must),
        (436, Lands::Stinger, Importance::Must),
    ]);
    let tempo = |_: f64| 120.0;
    let host = Host {
        sample_rate: 48_000.0,
        tempo_at: &tempo,
        block_size: &|_| 300,
    };
    let (heard, played) = run(&host.blocks(30.0), 48_000.0, Character::Swell, &picture);
    let target = hit_sample(400, 48_000.0);
    let (on, off_by) = nearest_onset(&heard, played.first, target);
    assert!(
        off_by <= 1.0,
        "the stinger's first note at {on}, the hit at {target:.1}"
    );
    let melody: Vec<u8> = heard
        .notes
        .iter()
        .filter(|n| n.channel == 0 && n.on as f64 >= target - 1.0)
        .map(|n| n.key)
        .collect();
    assert_eq!(
        &melody[..6],
        &[69, 71, 72, 74, 76, 69],
        "the head, then the loop from its start"
    );
    // The second stinger was ignored (reported), so nothing restarts at it.
    let second = hit_sample(436, 48_000.0);
    assert!(
        !heard
            .notes
            .iter()
            .any(|n| n.channel == 0 && (n.on as f64 - second).abs() <= 1.0),
        "a note starts on the ignored stinger"
    );
}

#[test]
fn a_stinger_laid_over_the_rendering_adds_its_head_on_the_frame_and_the_loop_plays_on() {
    // The stinger at frame 400 with "Stinger over rendering" on: the running Swell loop plays
    // every note it plays without hits, and the head's notes sound on top, its first note on
    // the hit's sample; the same at every block size; never a key held twice.
    let tempo = |_: f64| 120.0;
    let over = LiveSettings {
        stingers_over: true,
        ..settings(Character::Swell)
    };
    let onsets = |heard: &Sampler| -> Vec<(u64, u8, u8)> {
        let mut onsets: Vec<_> = heard
            .notes
            .iter()
            .map(|n| (n.on, n.channel, n.key))
            .collect();
        onsets.sort_unstable();
        onsets
    };
    let target = hit_sample(400, 48_000.0);
    let mut results = Vec::new();
    for block_size in [64u32, 300, 1024] {
        let host = Host {
            sample_rate: 48_000.0,
            tempo_at: &tempo,
            block_size: &|_| block_size,
        };
        let blocks = host.blocks(24.0);
        let (plain, _) = run_with(&theme(), &blocks, 48_000.0, &over, &picture(&[]), &[]);
        let stinger = picture(&[(400, Lands::Stinger, Importance::Must)]);
        let (heard, played) = run_with(&theme(), &blocks, 48_000.0, &over, &stinger, &[]);
        assert_eq!(played.outcome, HitOutcome::Locked, "block {block_size}");
        let (plain_onsets, onsets) = (onsets(&plain), onsets(&heard));
        let missing: Vec<_> = plain_onsets
            .iter()
            .filter(|o| !onsets.contains(o))
            .collect();
        assert!(
            missing.is_empty(),
            "block {block_size}: loop notes lost under the stinger: {missing:?}"
        );
        let added: Vec<_> = onsets
            .iter()
            .filter(|o| !plain_onsets.contains(o))
            .copied()
            .collect();
        let (first_channel, first_key) = played.first;
        assert!(
            added.iter().any(|&(on, c, k)| c == first_channel
                && k == first_key
                && (on as f64 - target).abs() <= 1.0),
            "block {block_size}: the head's first note on the hit ({target:.1}); added {added:?}"
        );
        assert!(
            added.iter().all(|&(on, _, _)| on as f64 >= target - 1.0
                && (on as f64) < target + 2.0 * 4.0 * 0.5 * 48_000.0),
            "block {block_size}: head notes only, within its two bars: {added:?}"
        );
        assert!(
            added.len() >= 5,
            "block {block_size}: the head's notes: {added:?}"
        );
        results.push(onsets);
    }
    assert!(
        results.windows(2).all(|w| w[0] == w[1]),
        "the same notes at every block size"
    );
}

#[test]
fn with_the_loop_off_only_the_statement_on_the_hit_plays_once() {
    // Loop off: hit lock plays the statement landed on the door slam, once, and nothing else —
    // its climax on the hit's sample, every note inside the statement's span.
    let tempo = |_: f64| 96.0;
    let once = LiveSettings {
        looping: false,
        ..settings(Character::Swell)
    };
    for block_size in [64u32, 480] {
        let host = Host {
            sample_rate: 48_000.0,
            tempo_at: &tempo,
            block_size: &|_| block_size,
        };
        let blocks = host.blocks(40.0);
        let picture = picture(&[(511, Lands::Climax, Importance::Must)]);
        let (heard, played) = run_with(&theme(), &blocks, 48_000.0, &once, &picture, &[]);
        assert_eq!(played.outcome, HitOutcome::Locked, "block {block_size}");
        let target = hit_sample(511, 48_000.0);
        let (on, off_by) = nearest_onset(&heard, played.climax, target);
        assert!(
            off_by <= 1.0,
            "block {block_size}: climax at {on}, hit at {target:.1}"
        );
        // One statement: as many melody onsets as the rendering has melody notes.
        let mut engine = LiveEngine::new();
        engine.set_slot(0, &theme());
        let mut out = EventBuffer::with_capacity(MAX_OUT_EVENTS_PER_BLOCK);
        engine.process(
            &BlockInfo {
                num_samples: 1,
                transport: None,
            },
            &once,
            [] as [Event; 0],
            &mut out,
        );
        let rendering = engine.rendering();
        assert_eq!(
            heard.notes.len(),
            rendering.notes.len(),
            "block {block_size}: the statement once, nothing before or after it"
        );
        let first = heard.notes.iter().map(|n| n.on).min().unwrap() as f64;
        let statement_samples = rendering.length_beats * 60.0 / 96.0 * 48_000.0;
        assert!(
            heard
                .notes
                .iter()
                .all(|n| (n.on as f64) < first + statement_samples),
            "block {block_size}: every note within one statement"
        );
    }
}
