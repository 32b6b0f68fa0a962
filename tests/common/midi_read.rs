//! Reading a written .mid back as a player would hear it: its notes timed through the file's
//! own tempo events (shared by the CLI tests that check where notes land in seconds).

use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};

/// A note read back: channel, key, onset and release in seconds and in beats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadNote {
    pub channel: u8,
    pub key: u8,
    pub on_seconds: f64,
    pub off_seconds: f64,
    pub on_beats: f64,
}

/// The notes of a .mid, timed through its own tempo events, and its tempos (BPM) in order.
pub fn read_back(bytes: &[u8]) -> (Vec<ReadNote>, Vec<f64>) {
    let smf = Smf::parse(bytes).expect("a MIDI file");
    let Timing::Metrical(ticks) = smf.header.timing else {
        panic!("metrical timing");
    };
    let ticks_per_beat = f64::from(ticks.as_int());
    let mut tempos: Vec<(u64, f64)> = vec![(0, 500_000.0)];
    let mut events: Vec<(u64, u8, u8, bool)> = Vec::new();
    for track in &smf.tracks {
        let mut tick = 0u64;
        for event in track {
            tick += u64::from(event.delta.as_int());
            match event.kind {
                TrackEventKind::Meta(MetaMessage::Tempo(us)) => {
                    tempos.push((tick, f64::from(us.as_int())))
                }
                TrackEventKind::Midi { channel, message } => match message {
                    MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                        events.push((tick, channel.as_int(), key.as_int(), true))
                    }
                    MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                        events.push((tick, channel.as_int(), key.as_int(), false))
                    }
                    _ => {}
                },
                _ => {}
            }
        }
    }
    tempos.sort_by_key(|t| t.0);
    let seconds_at = |tick: u64| {
        let mut seconds = 0.0;
        let mut last = (0u64, 500_000.0);
        for &(at, us) in &tempos {
            if at > tick {
                break;
            }
            seconds += (at - last.0) as f64 / ticks_per_beat * last.1 / 1e6;
            last = (at, us);
        }
        seconds + (tick - last.0) as f64 / ticks_per_beat * last.1 / 1e6
    };
    let mut notes = Vec::new();
    let mut open: Vec<(u64, u8, u8)> = Vec::new();
    for (tick, channel, key, on) in events {
        if on {
            open.push((tick, channel, key));
        } else if let Some(i) = open.iter().position(|o| o.1 == channel && o.2 == key) {
            let (start, ..) = open.remove(i);
            notes.push(ReadNote {
                channel,
                key,
                on_seconds: seconds_at(start),
                off_seconds: seconds_at(tick),
                on_beats: start as f64 / ticks_per_beat,
            });
        }
    }
    assert!(open.is_empty(), "every note ends");
    let bpm: Vec<f64> = tempos[1..].iter().map(|t| 60e6 / t.1).collect();
    (notes, bpm)
}
