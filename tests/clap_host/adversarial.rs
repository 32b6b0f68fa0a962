//! Adversarial randomized run: 10 000 seeded random sequences of notes, controllers, parameter
//! changes, transport stops, jumps and loops, resets, deactivations and state loads, across block
//! sizes 1–4096, sample rates and both layouts. After every block: events sorted and inside the
//! block (checked by the host), no note-off without a note-on. After every sequence (the host
//! releases its keys and resets): every note-on answered by its note-off. In debug builds any
//! allocation in `process` aborts the test; a panic would abort too.

use std::collections::HashMap;

use crate::host::{
    library_of, list_params, motif, transport, InEvent, InKind, Layout, OutEvent, OutKind,
    ParamDescription, PluginUnderTest, Rng,
};

const NUM_INSTANCES: u64 = 40;
const SEQUENCES_PER_INSTANCE: u64 = 250;
const SAMPLE_RATES: [f64; 5] = [8_000.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0];

/// Output note bookkeeping across a whole instance.
#[derive(Default)]
struct Ledger {
    open: HashMap<(i16, i16), i64>,
    num_note_ons: u64,
    /// Every note event with its context, for the failure message.
    history: Vec<(String, OutEvent)>,
}

impl Ledger {
    fn record(&mut self, out: &[OutEvent], context: &str) {
        for event in out {
            if matches!(event.kind, OutKind::NoteOn { .. } | OutKind::NoteOff { .. }) {
                self.history.push((context.to_owned(), *event));
            }
            match event.kind {
                OutKind::NoteOn { channel, key, .. } => {
                    *self.open.entry((channel, key)).or_default() += 1;
                    self.num_note_ons += 1;
                }
                OutKind::NoteOff { channel, key, .. } => {
                    let count = self.open.entry((channel, key)).or_default();
                    assert!(
                        *count > 0,
                        "{context}: note-off without note-on at {}: {:?}",
                        event.time_samples,
                        event.kind
                    );
                    *count -= 1;
                }
                _ => {}
            }
        }
    }

    fn assert_all_ended(&self, context: &str) {
        let hanging: Vec<_> = self.open.iter().filter(|(_, &n)| n != 0).collect();
        if let Some((&(channel, key), _)) = hanging.first() {
            let story: Vec<_> = self
                .history
                .iter()
                .filter(|(_, e)| matches!(e.kind, OutKind::NoteOn { channel: c, key: k, .. } | OutKind::NoteOff { channel: c, key: k, .. } if c == channel && k == key))
                .rev()
                .take(6)
                .collect();
            panic!(
                "{context}: notes still sounding {hanging:?}; last events on that key: {story:#?}"
            );
        }
    }
}

fn random_value(rng: &mut Rng, param: &ParamDescription) -> f64 {
    if param.stepped {
        rng.range(param.min as u64, param.max as u64) as f64
    } else {
        rng.unit_f64() * (param.max - param.min) + param.min
    }
}

/// The motif library the instances start with (so renderings play from the first block).
fn seed_library(plugin: &mut PluginUnderTest) {
    let slot_a = motif(&[
        (0.0, 1.0, 60),
        (1.0, 0.5, 64),
        (1.5, 0.5, 67),
        (2.0, 2.0, 72),
    ]);
    let slot_b = motif(&[
        (0.0, 0.25, 48),
        (0.25, 0.25, 50),
        (0.5, 3.0, 55),
        (0.5, 3.0, 59),
    ]);
    let slot_c = motif(&[(0.0, 4.0, 127), (1.0, 1.0, 0), (2.0, 0.1, 66)]);
    let library = library_of(&[(0, &slot_a), (1, &slot_b), (2, &slot_c)]);
    plugin.load_library(library, &[]);
}

#[test]
fn ten_thousand_random_sequences_never_leave_a_note_hanging() {
    let mut num_sequences = 0;
    for instance_idx in 0..NUM_INSTANCES {
        let mut rng = Rng::new(1000 + instance_idx);
        let layout = if instance_idx % 2 == 0 {
            Layout::Stereo
        } else {
            Layout::MidiOnly
        };
        let sample_rate = SAMPLE_RATES[(instance_idx % SAMPLE_RATES.len() as u64) as usize];
        let mut plugin = PluginUnderTest::start(layout, sample_rate, 4096);
        seed_library(&mut plugin);
        let params = list_params(plugin.instance());
        let playback_id = params
            .iter()
            .find(|p| p.name == "Playback")
            .expect("Playback parameter")
            .id;
        let mut ledger = Ledger::default();
        let mut saved_states = vec![plugin.save_state()];
        // Host timeline.
        let mut pos_beats = 0.0f64;
        let mut tempo = 120.0f64;
        let mut playing = true;
        let mut has_transport = true;
        let mut loop_range: Option<(f64, f64)> = None;
        let mut held: Vec<(u16, u16, u32)> = Vec::new();
        let mut next_note_id = 0u32;

        for sequence in 0..SEQUENCES_PER_INSTANCE {
            let context = format!("instance {instance_idx} sequence {sequence}");
            for _ in 0..rng.range(1, 4) {
                // Between blocks: host-level disruptions.
                match rng.range(0, 99) {
                    0..=2 => {
                        plugin.deactivate();
                        plugin.activate();
                    }
                    3..=5 => plugin.reset(),
                    6..=7 => {
                        let state = saved_states
                            [rng.range(0, saved_states.len() as u64 - 1) as usize]
                            .clone();
                        let _ = plugin.load_state(&state);
                    }
                    8 => {
                        // Garbage state: refused or partially read, never a crash.
                        let garbage: Vec<u8> = (0..rng.range(0, 64))
                            .map(|_| rng.range(0, 255) as u8)
                            .collect();
                        let _ = plugin.load_state(&garbage);
                    }
                    9 => saved_states.push(plugin.save_state()),
                    10..=19 => pos_beats = rng.range(0, 400) as f64 / 4.0, // jump
                    20..=24 => playing = !playing,
                    25..=27 => has_transport = !has_transport,
                    28..=31 => tempo = rng.range(40, 240) as f64,
                    32..=34 => {
                        loop_range = if loop_range.is_some() {
                            None
                        } else {
                            let start = rng.range(0, 8) as f64 * 4.0;
                            Some((start, start + rng.range(1, 4) as f64 * 4.0))
                        }
                    }
                    _ => {}
                }
                let frames = rng.range(1, 4096) as usize;
                let start = plugin.now_samples;
                let mut events = Vec::new();
                let mut times: Vec<u64> = (0..rng.range(0, 12))
                    .map(|_| start + rng.range(0, frames as u64 - 1))
                    .collect();
                times.sort_unstable();
                for time_samples in times {
                    let kind = match rng.range(0, 9) {
                        0..=3 => {
                            let (channel, key) =
                                (rng.range(0, 2) as u16, rng.range(24, 100) as u16);
                            next_note_id += 1;
                            held.push((channel, key, next_note_id));
                            InKind::NoteOn {
                                channel,
                                key,
                                velocity: rng.range(1, 127) as f64 / 127.0,
                                note_id: next_note_id,
                            }
                        }
                        4..=5 if !held.is_empty() => {
                            let (channel, key, note_id) =
                                held.swap_remove(rng.range(0, held.len() as u64 - 1) as usize);
                            InKind::NoteOff {
                                channel,
                                key,
                                note_id,
                            }
                        }
                        6 => InKind::Midi {
                            bytes: [
                                0xB0 | rng.range(0, 2) as u8,
                                [1, 11, 64][rng.range(0, 2) as usize],
                                rng.range(0, 127) as u8,
                            ],
                        },
                        7 => {
                            // A stray note-off the plugin never saw a note-on for.
                            InKind::Midi {
                                bytes: [0x80, rng.range(0, 127) as u8, 0],
                            }
                        }
                        _ => {
                            let param = &params[rng.range(0, params.len() as u64 - 1) as usize];
                            InKind::Param {
                                param_id: param.id,
                                value: random_value(&mut rng, param),
                            }
                        }
                    };
                    events.push(InEvent { time_samples, kind });
                }
                let transport_event =
                    has_transport.then(|| transport(pos_beats, tempo, playing, loop_range));
                let out = plugin.process(frames, &events, transport_event.as_ref());
                ledger.record(&out, &context);
                if playing {
                    pos_beats += frames as f64 * tempo / 60.0 / sample_rate;
                    if let Some((loop_start, loop_end)) = loop_range {
                        if pos_beats >= loop_end
                            && pos_beats - (loop_end - loop_start) >= loop_start
                        {
                            pos_beats -= loop_end - loop_start;
                        }
                    }
                }
            }
            // End of the sequence: the host lets go of every key, resets the plugin and turns
            // playback off; that one block must end everything that still sounds.
            let start = plugin.now_samples;
            let mut closing: Vec<InEvent> = held
                .drain(..)
                .map(|(channel, key, note_id)| InEvent {
                    time_samples: start,
                    kind: InKind::NoteOff {
                        channel,
                        key,
                        note_id,
                    },
                })
                .collect();
            closing.push(InEvent {
                time_samples: start,
                kind: InKind::Param {
                    param_id: playback_id,
                    value: 0.0,
                },
            });
            // Half the sequences end with a reset, half only through the normal paths (playback
            // off, keys released), so both must leave nothing sounding.
            if sequence % 2 == 0 {
                plugin.reset();
            }
            let out = plugin.process(1, &closing, None);
            ledger.record(&out, &context);
            ledger.assert_all_ended(&context);
            // The next sequence starts in a random playback mode.
            let mode = rng.range(0, 2) as f64;
            let start = plugin.now_samples;
            let out = plugin.process(
                1,
                &[InEvent {
                    time_samples: start,
                    kind: InKind::Param {
                        param_id: playback_id,
                        value: mode,
                    },
                }],
                None,
            );
            ledger.record(&out, &context);
            num_sequences += 1;
        }
        assert!(
            ledger.num_note_ons > 100,
            "instance {instance_idx}: the plugin hardly played ({} note-ons)",
            ledger.num_note_ons
        );
    }
    assert!(num_sequences >= 10_000);
}
