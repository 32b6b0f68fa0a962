//! Reader for `tests/data/key_melodies.txt`: short public-domain melodies with known keys,
//! transcribed by hand. Shared by the key-accuracy test and the accuracy report example.

use reprise::engine::key::Key;
use reprise::engine::motif::Note;

/// One melody of the test set.
pub struct Melody {
    pub name: String,
    pub key: Key,
    pub notes: Vec<Note>,
}

/// Parses the data file. Panics with the line number on a malformed line (test data).
pub fn load() -> Vec<Melody> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/key_melodies.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut melodies = Vec::new();
    for (line_idx, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(
            fields.len(),
            3,
            "line {}: expected `name | key | notes`",
            line_idx + 1
        );
        let key = Key::parse(fields[1])
            .unwrap_or_else(|| panic!("line {}: bad key {:?}", line_idx + 1, fields[1]));
        let mut notes = Vec::new();
        let mut start_beats = 0.0;
        for token in fields[2].split_whitespace() {
            let (pitch, duration) = token
                .split_once(':')
                .unwrap_or_else(|| panic!("line {}: bad token {token}", line_idx + 1));
            let length_beats: f64 = duration
                .parse()
                .unwrap_or_else(|_| panic!("line {}: bad duration {token}", line_idx + 1));
            if pitch != "R" {
                let key: u8 = pitch
                    .parse()
                    .unwrap_or_else(|_| panic!("line {}: bad pitch {token}", line_idx + 1));
                notes.push(Note {
                    start_beats,
                    length_beats,
                    key,
                    velocity: 0.7,
                    channel: 0,
                });
            }
            start_beats += length_beats;
        }
        melodies.push(Melody {
            name: fields[0].to_owned(),
            key,
            notes,
        });
    }
    melodies
}
