//! Host parameter sweeps: controller "events" that are not MIDI anyone played.
//!
//! VST3 has no controller events: a host turns a MIDI track's controllers into writes of the
//! plugin's MIDI-mapped parameters (`IMidiMapping`), and nice-plug turns those writes back into
//! controller events. Ardour 7 also writes *every* parameter it knows when it loads a plugin or a
//! session, the 16 × 130 hidden MIDI-mapped ones included, with the value nice-plug reports for
//! them (0.5): at the first block the plugin receives, on every channel, every controller at 64
//! (sustain pedal down, bank select 64, volume 64, the channel-mode messages), channel pressure 64
//! and pitch bend at centre, all at one sample. Taken as a performance, the pedal held every
//! released note of the next phrase, so the phrase never ended while the transport rolled (issue
//! 21), and the instrument behind Reprise was sent bank and mode changes.
//!
//! A player's keyboard sends a few controllers at one instant, never dozens on one channel: such
//! a burst is the host's parameter sweep and is dropped before capture and pass-through.

use crate::engine::event::{Event, EventKind, NUM_CHANNELS};

/// Least number of distinct controllers (of the 128 CCs, channel pressure and pitch bend) one
/// channel must receive at one sample for the burst to count as a host parameter sweep. A
/// keyboard or a DAW's controller chase sends a handful at once (pedal, modulation, expression,
/// volume, pan, a bank and program change: under 16); a sweep sends all 130.
pub const SWEEP_MIN_CONTROLLERS: u32 = 32;

/// Distinct controllers: the 128 CCs, then channel pressure and pitch bend.
const NUM_CONTROLLERS: usize = 130;

/// Words of a controller bit set.
const SET_WORDS: usize = NUM_CONTROLLERS.div_ceil(64);

/// The controller an event sets (CC number, 128 for channel pressure, 129 for pitch bend) and
/// its channel, or `None` for any other event.
fn controller(event: &Event) -> Option<(usize, usize)> {
    match event.kind {
        EventKind::ControlChange { channel, cc, .. } => Some((channel as usize, cc as usize)),
        EventKind::OtherMidi { bytes } => {
            let channel = (bytes[0] & 0x0F) as usize;
            match bytes[0] & 0xF0 {
                0xD0 => Some((channel, 128)),
                0xE0 => Some((channel, 129)),
                _ => None,
            }
        }
        _ => None,
    }
    .filter(|&(channel, cc)| channel < NUM_CHANNELS && cc < NUM_CONTROLLERS)
}

/// Removes host parameter sweeps from a block's input `events` (sorted by timing): on each
/// channel, the controller events at a sample where that channel receives at least
/// [`SWEEP_MIN_CONTROLLERS`] distinct controllers. Everything else keeps its order. Returns the
/// number of events removed. Audio thread: no allocation; two passes over each sample's events.
pub fn drop_parameter_sweeps(events: &mut Vec<Event>) -> usize {
    let before = events.len();
    // Compacts in place: each group of events at one sample is judged, then its kept events
    // move down to `kept`.
    let (mut start, mut kept) = (0, 0);
    while start < before {
        let timing = events[start].timing_samples;
        let end = start
            + events[start..]
                .iter()
                .take_while(|e| e.timing_samples == timing)
                .count();
        let mut seen = [[0u64; SET_WORDS]; NUM_CHANNELS];
        for event in &events[start..end] {
            if let Some((channel, cc)) = controller(event) {
                seen[channel][cc / 64] |= 1 << (cc % 64);
            }
        }
        let swept = seen
            .map(|set| set.iter().map(|w| w.count_ones()).sum::<u32>() >= SWEEP_MIN_CONTROLLERS);
        for idx in start..end {
            if !controller(&events[idx]).is_some_and(|(channel, _)| swept[channel]) {
                events[kept] = events[idx];
                kept += 1;
            }
        }
        start = end;
    }
    events.truncate(kept);
    before - kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(timing: u32, channel: u8, cc: u8, value: f32) -> Event {
        Event::control_change(timing, channel, cc, value)
    }

    #[test]
    fn a_sweep_of_every_controller_is_dropped_and_played_events_stay() {
        let mut events = vec![Event::note_on(0, 0, 60, 0.7, None)];
        for channel in 0..16 {
            for number in 0..128 {
                events.push(cc(0, channel, number, 0.5));
            }
            events.push(Event {
                timing_samples: 0,
                kind: EventKind::OtherMidi {
                    bytes: [0xE0 | channel, 0, 64],
                },
            });
        }
        events.push(cc(10, 0, 64, 1.0));
        events.push(Event::note_off(20, 0, 60, 0.0, None));
        let removed = drop_parameter_sweeps(&mut events);
        assert_eq!(removed, 16 * 129);
        assert_eq!(events.len(), 3);
        assert_eq!(events[1], cc(10, 0, 64, 1.0), "a played pedal stays");
    }

    #[test]
    fn a_few_controllers_at_once_are_a_performance() {
        let mut events: Vec<Event> = (0..(SWEEP_MIN_CONTROLLERS as u8 - 1))
            .map(|number| cc(5, 3, number, 0.2))
            .collect();
        // The same controller many times counts once.
        events.extend((0..40).map(|_| cc(5, 4, 64, 1.0)));
        let expected = events.clone();
        assert_eq!(drop_parameter_sweeps(&mut events), 0);
        assert_eq!(events, expected);
    }
}
