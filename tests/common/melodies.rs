//! Reader for `tests/data/key_melodies.txt` (the including crate also includes
//! `note_tokens.rs` as `note_tokens`): short public-domain melodies with known keys,
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
        let notes = super::note_tokens::parse_note_tokens(fields[2], 0.0)
            .unwrap_or_else(|e| panic!("line {}: {e}", line_idx + 1));
        melodies.push(Melody {
            name: fields[0].to_owned(),
            key,
            notes,
        });
    }
    melodies
}
