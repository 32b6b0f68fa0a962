//! A fixed-capacity output buffer of [`Event`]s that never grows on the audio thread.

use super::event::Event;

/// Returned by [`EventBuffer::push`] when the buffer is full; the event was dropped and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferFull;

impl std::fmt::Display for BufferFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("event buffer is full; the event was dropped")
    }
}

impl std::error::Error for BufferFull {}

/// Events for one block, in the order they were pushed.
///
/// Owner: the audio thread. Capacity is fixed by [`EventBuffer::with_capacity`] (call it from
/// `initialize()`/`new`); [`push`](Self::push), [`clear`](Self::clear) and iteration never allocate.
/// When full, further pushes are refused and counted in [`num_dropped`](Self::num_dropped) instead
/// of growing.
#[derive(Debug, Clone)]
pub struct EventBuffer {
    /// Storage; `len() <= capacity` always holds, so `push` never reallocates.
    events: Vec<Event>,
    /// Fixed capacity in events, set at construction.
    capacity: usize,
    /// Events refused because the buffer was full, since construction or the last
    /// [`take_num_dropped`](Self::take_num_dropped).
    num_dropped: u64,
}

impl EventBuffer {
    /// Allocates a buffer for `capacity` events. Allocates: not for the audio thread.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            events: Vec::with_capacity(capacity),
            capacity,
            num_dropped: 0,
        }
    }

    /// Appends `event`, or drops and counts it when the buffer is full. Never allocates.
    ///
    /// # Errors
    ///
    /// [`BufferFull`] when `len() == capacity()`.
    pub fn push(&mut self, event: Event) -> Result<(), BufferFull> {
        if self.events.len() >= self.capacity {
            self.num_dropped += 1;
            return Err(BufferFull);
        }
        self.events.push(event);
        Ok(())
    }

    /// Removes all events, keeping the capacity.
    pub fn clear(&mut self) {
        self.events.clear();
    }

    /// The events pushed since the last [`clear`](Self::clear).
    pub fn as_slice(&self) -> &[Event] {
        &self.events
    }

    /// Number of events held.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is held.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Room left before pushes are refused.
    pub fn remaining(&self) -> usize {
        self.capacity - self.events.len()
    }

    /// Counts `num_events` events that were not pushed because they would not have fit (a pair
    /// that must go out together, such as an off and the on after it).
    pub fn count_dropped(&mut self, num_events: u64) {
        self.num_dropped += num_events;
    }

    /// Fixed capacity in events.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Events dropped because the buffer was full.
    pub fn num_dropped(&self) -> u64 {
        self.num_dropped
    }

    /// Returns the drop count and resets it to zero.
    pub fn take_num_dropped(&mut self) -> u64 {
        std::mem::take(&mut self.num_dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_and_counts_events_beyond_capacity() {
        let mut buffer = EventBuffer::with_capacity(2);
        assert!(buffer.push(Event::control_change(0, 0, 1, 0.5)).is_ok());
        assert!(buffer.push(Event::control_change(1, 0, 1, 0.5)).is_ok());
        assert_eq!(
            buffer.push(Event::control_change(2, 0, 1, 0.5)),
            Err(BufferFull)
        );
        assert_eq!(buffer.len(), 2);
        assert_eq!(buffer.num_dropped(), 1);
        assert_eq!(buffer.take_num_dropped(), 1);
        assert_eq!(buffer.num_dropped(), 0);
        buffer.clear();
        assert_eq!(buffer.remaining(), 2);
    }
}
