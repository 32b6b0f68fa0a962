//! The note lists of the key-finding data files: `PITCH:DURATION` tokens in time order, PITCH a
//! MIDI key (60 = middle C) or `R` for a rest, DURATION in quarter-note beats.

use reprise::engine::motif::Note;

/// The notes of `tokens`, the first starting at `start_beats`; `Err` names the bad token.
pub fn parse_note_tokens(tokens: &str, mut start_beats: f64) -> Result<Vec<Note>, String> {
    let mut notes = Vec::new();
    for token in tokens.split_whitespace() {
        let (pitch, duration) = token
            .split_once(':')
            .ok_or_else(|| format!("bad token {token}"))?;
        let length_beats: f64 = duration
            .parse()
            .map_err(|_| format!("bad duration {token}"))?;
        if pitch != "R" {
            notes.push(Note {
                start_beats,
                length_beats,
                key: pitch.parse().map_err(|_| format!("bad pitch {token}"))?,
                velocity: 0.7,
                channel: 0,
            });
        }
        start_beats += length_beats;
    }
    Ok(notes)
}
