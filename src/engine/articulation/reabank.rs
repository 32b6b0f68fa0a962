//! Reading Reaticulate's `.reabank` files (the community's articulation banks for many
//! libraries) into a [`Profile`]: the format as its author documents it (`reabank.md` in
//! github.com/jtackaberry/reaticulate), written from that description.
//!
//! A bank is a line `Bank MSB LSB Name` (`*` for either in a user bank); each articulation a line `PROGRAM name`; `//!` lines
//! above either give attributes (`name=value`, quoted when the value has spaces), among them
//! `o=` — the output events that switch the articulation: `type[@channel][:arg1[,arg2]]`
//! joined by `/`, type `note` (velocity 127 unless given), `note-hold`, `cc`, `program`; a
//! leading `-` sends an event without routing the notes to its channel (such an event on
//! another channel is not used: a profile's switches go on the notes' channel); `%program`
//! filters and `pitch`/`art` events are not used here. An articulation without `o=` is switched by its own
//! program number. Other `//` lines are comments.
//!
//! Each role takes the first articulation of the bank that is it: by Reaticulate's
//! UACC-based program numbers (legato 20, long hard 9, tremolo 11, soft 8 and 17, muted 7,
//! harmonics 10), else by name; a bank without legato lends its plain long (sustain) patch to
//! the legato role.

use super::profile::{DynamicsChoice, Profile, RoleSwitches, Switch};
use super::role::Role;

/// Why a `.reabank` file gives no profile.
#[derive(Debug, Clone, PartialEq)]
pub enum ReabankError {
    /// No `Bank` line (or none named as asked).
    NoBank {
        /// The bank asked for, if any.
        wanted: Option<String>,
        /// The banks the file has.
        found: Vec<String>,
    },
    /// The bank has articulations, but none is one of Reprise's roles.
    NoRoles {
        /// The bank.
        bank: String,
    },
    /// A line that is not a comment, an attribute line, a bank or an articulation.
    BadLine {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
}

impl std::fmt::Display for ReabankError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReabankError::NoBank { wanted: None, .. } => {
                write!(f, "no Bank line: not a .reabank file")
            }
            ReabankError::NoBank {
                wanted: Some(name),
                found,
            } => write!(
                f,
                "no bank named \"{name}\" (the file has: {})",
                found.join("; ")
            ),
            ReabankError::NoRoles { bank } => write!(
                f,
                "bank \"{bank}\" has no legato, long hard, tremolo, soft, muted or harmonics \
                 articulation"
            ),
            ReabankError::BadLine { line, text } => {
                write!(
                    f,
                    "line {line} is not a bank, an articulation or a comment: {text}"
                )
            }
        }
    }
}

impl std::error::Error for ReabankError {}

/// One articulation as the file gives it.
#[derive(Debug, Clone)]
struct Articulation {
    program: u8,
    name: String,
    output: Option<String>,
}

/// The profile of the bank named `bank` (a part of its name, case-insensitive) in `text`, or
/// of its first bank; with the number of output events it could not use.
pub fn profile_from_reabank(
    text: &str,
    bank: Option<&str>,
) -> Result<(Profile, usize), ReabankError> {
    let mut banks: Vec<(String, Vec<Articulation>)> = Vec::new();
    let mut attributes: Vec<(String, String)> = Vec::new();
    // A byte-order mark some editors write before the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("//!") {
            attributes.extend(parse_attributes(rest));
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        if first.eq_ignore_ascii_case("bank") {
            let numbers: Vec<&str> = words.by_ref().take(2).collect();
            let name = words.collect::<Vec<_>>().join(" ");
            // User banks leave MSB and LSB to Reaticulate: `Bank * * Name`.
            let valid = |n: &&str| *n == "*" || n.parse::<u8>().is_ok();
            if numbers.len() < 2 || !numbers.iter().all(valid) {
                return Err(ReabankError::BadLine {
                    line: index + 1,
                    text: raw.to_owned(),
                });
            }
            let name = attribute(&attributes, "n").unwrap_or(name);
            banks.push((name, Vec::new()));
        } else if let Ok(program) = first.parse::<u8>() {
            let name = words.collect::<Vec<_>>().join(" ");
            let Some((_, articulations)) = banks.last_mut() else {
                return Err(ReabankError::BadLine {
                    line: index + 1,
                    text: raw.to_owned(),
                });
            };
            articulations.push(Articulation {
                program: program.min(127),
                name: attribute(&attributes, "n").unwrap_or(name),
                output: attribute(&attributes, "o"),
            });
        } else {
            return Err(ReabankError::BadLine {
                line: index + 1,
                text: raw.to_owned(),
            });
        }
        attributes.clear();
    }
    let found: Vec<String> = banks.iter().map(|(name, _)| name.clone()).collect();
    let chosen = match bank {
        Some(wanted) => banks
            .iter()
            .find(|(name, _)| name.to_lowercase().contains(&wanted.to_lowercase())),
        None => banks.first(),
    };
    let Some((name, articulations)) = chosen else {
        return Err(ReabankError::NoBank {
            wanted: bank.map(str::to_owned),
            found,
        });
    };
    let mut unused = 0;
    let mut roles = Vec::new();
    for role in Role::ALL {
        let Some(articulation) = articulations
            .iter()
            .find(|a| role_by_program(a.program) == Some(role))
            .or_else(|| {
                articulations
                    .iter()
                    .find(|a| role_by_name(&a.name) == Some(role))
            })
            .or_else(|| {
                // No legato patch: the plain long (sustain) one carries the line.
                (role == Role::Legato)
                    .then(|| articulations.iter().find(|a| is_plain_long(a)))
                    .flatten()
            })
        else {
            continue;
        };
        let switches = match &articulation.output {
            Some(output) => {
                let (switches, skipped) = parse_output(output);
                unused += skipped;
                switches
            }
            None => vec![Switch::Program {
                program: articulation.program,
            }],
        };
        if !switches.is_empty() {
            roles.push(RoleSwitches { role, switches });
        }
    }
    if roles.is_empty() {
        return Err(ReabankError::NoRoles { bank: name.clone() });
    }
    let profile = Profile {
        id: slug(name),
        name: format!("{name} (Reaticulate bank)"),
        dynamics: DynamicsChoice::Cc1,
        roles,
        delays: Vec::new(),
    };
    Ok((profile, unused))
}

/// `name=value` pairs of an attribute line (values quoted with `"` when they hold spaces).
fn parse_attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    for _ in 0..text.len() {
        if rest.is_empty() {
            break;
        }
        let Some(equals) = rest.find('=') else {
            break;
        };
        let key = rest[..equals].trim().to_owned();
        let after = &rest[equals + 1..];
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (quoted[..end].to_owned(), &quoted[end + 1..]),
                None => (quoted.to_owned(), ""),
            }
        } else {
            match after.find(char::is_whitespace) {
                Some(end) => (after[..end].to_owned(), &after[end..]),
                None => (after.to_owned(), ""),
            }
        };
        out.push((key, value));
        rest = remaining.trim_start();
    }
    out
}

fn attribute(attributes: &[(String, String)], key: &str) -> Option<String> {
    attributes
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// The switches an `o=` value gives, and how many of its events could not be used.
fn parse_output(output: &str) -> (Vec<Switch>, usize) {
    let mut switches = Vec::new();
    let mut skipped = 0;
    let mut routed = false;
    for event in output.split('/') {
        let event = event.trim();
        let (routes, event) = match event.strip_prefix('-') {
            Some(rest) => (false, rest),
            None => (true, event),
        };
        // `%program` filters apply the event only after a given articulation: dropped.
        let event = event.split('%').next().unwrap_or_default();
        let (head, args) = event.split_once(':').unwrap_or((event, ""));
        let (kind, channel) = match head.split_once('@') {
            Some((kind, channel)) => (
                kind,
                channel.split('.').next().and_then(|c| c.parse::<u8>().ok()),
            ),
            None => (head, None),
        };
        let numbers: Vec<Option<u8>> = args
            .split(',')
            .filter(|a| !a.is_empty())
            .map(|a| a.trim().parse::<u8>().ok().filter(|v| *v <= 127))
            .collect();
        let first = numbers.first().copied().flatten();
        let second = numbers.get(1).copied().flatten();
        let switch = match (kind, first) {
            ("note", Some(key)) | ("note-hold", Some(key)) => Some(Switch::Key {
                key,
                velocity: second.unwrap_or(127).max(1),
                held: kind == "note-hold",
            }),
            ("cc", Some(cc)) => second.map(|value| Switch::Cc { cc, value }),
            ("program", Some(program)) => Some(Switch::Program { program }),
            _ => None,
        };
        match switch {
            // An event for another channel that does not route the notes there (`-cc@3:…`):
            // a profile's switches go on the notes' channel, so it cannot be sent; counted.
            Some(_) if channel.is_some() && !routes => skipped += 1,
            Some(switch) => switches.push(switch),
            None if kind.is_empty() && channel.is_some() => {}
            None => skipped += 1,
        }
        if let (true, false, Some(channel)) = (routes, routed, channel) {
            if (1..=16).contains(&channel) && channel != 10 {
                switches.push(Switch::Channel {
                    channel: channel - 1,
                });
                routed = true;
            }
        }
    }
    (switches, skipped)
}

/// The role a Reaticulate program number (UACC's) stands for.
fn role_by_program(program: u8) -> Option<Role> {
    match program {
        20 => Some(Role::Legato),
        9 => Some(Role::LongHard),
        11 => Some(Role::Tremolo),
        8 | 17 => Some(Role::LongSoft),
        7 => Some(Role::LongMuted),
        10 => Some(Role::Harmonics),
        _ => None,
    }
}

/// Whether an articulation is the plain long note (UACC 1, or named sustain / long).
fn is_plain_long(articulation: &Articulation) -> bool {
    let name = articulation.name.to_lowercase();
    articulation.program == 1 || name.contains("sustain") || name.starts_with("long")
}

/// The role an articulation's name says, if any.
fn role_by_name(name: &str) -> Option<Role> {
    let name = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["legato", "slur"]) && !has(&["off", "non"]) {
        Some(Role::Legato)
    } else if has(&["trem"]) {
        Some(Role::Tremolo)
    } else if has(&["harmonic"]) {
        Some(Role::Harmonics)
    } else if has(&["sord", "mute"]) && !has(&["senza", "off"]) {
        Some(Role::LongMuted)
    } else if has(&["flaut", "tasto", "soft"]) {
        Some(Role::LongSoft)
    } else if has(&["marcato", "cuivr", "hard", "accent"]) && !has(&["short", "spic", "stacc"]) {
        Some(Role::LongHard)
    } else {
        None
    }
}

fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    slug.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bank written from the format's description: UACC on CC32, a keyswitch pair, a
    /// channel-routed articulation and one switched by its program alone.
    const BANK: &str = r#"
// A comment.
//! g="Test/Strings" n="Test Strings"
//! chase=1,11,32
Bank 0 1 Test Strings
//! c=legato i=legato o=cc:32,20
20 legato
//! c=long i=note-whole o=note:24/note-hold:32,65
1 long
//! c=long-dark i=tremolo o=cc@3:32,11
11 tremolo
//! c=long-light i=con-sord
7 con sordino
//! c=long-light i=harmonics o=pitch:100/cc:32,10
10 harmonics

Bank 0 2 Other Bank
//! o=note:36
20 legato
"#;

    #[test]
    fn a_bank_gives_each_role_its_output_events() {
        let (profile, unused) = profile_from_reabank(BANK, None).unwrap();
        assert_eq!(profile.name, "Test Strings (Reaticulate bank)");
        assert_eq!(
            profile.switches_for(Role::Legato),
            &[Switch::Cc { cc: 32, value: 20 }]
        );
        assert_eq!(
            profile.switches_for(Role::Tremolo),
            &[
                Switch::Cc { cc: 32, value: 11 },
                Switch::Channel { channel: 2 }
            ]
        );
        assert_eq!(
            profile.switches_for(Role::LongMuted),
            &[Switch::Program { program: 7 }]
        );
        assert_eq!(
            profile.switches_for(Role::Harmonics),
            &[Switch::Cc { cc: 32, value: 10 }]
        );
        assert_eq!(unused, 1, "the pitch event");
        profile.check().unwrap();
        // Another bank by (part of) its name.
        let (other, _) = profile_from_reabank(BANK, Some("other")).unwrap();
        assert_eq!(
            other.switches_for(Role::Legato),
            &[Switch::Key {
                key: 36,
                velocity: 127,
                held: false
            }]
        );
    }

    #[test]
    fn names_stand_in_for_program_numbers_and_bad_files_say_why() {
        let named = "Bank * * Named\n//! o=note:24,1/note-hold:30,100\n1 Legato Sustain\n//! o=note:25\n2 Long Flautando\n";
        let (profile, _) = profile_from_reabank(named, None).unwrap();
        assert_eq!(
            profile.switches_for(Role::Legato),
            &[
                Switch::Key {
                    key: 24,
                    velocity: 1,
                    held: false
                },
                Switch::Key {
                    key: 30,
                    velocity: 100,
                    held: true
                }
            ]
        );
        assert_eq!(
            profile.switches_for(Role::LongSoft),
            &[Switch::Key {
                key: 25,
                velocity: 127,
                held: false
            }]
        );
        assert!(matches!(
            profile_from_reabank("just text\n", None),
            Err(ReabankError::BadLine { line: 1, .. })
        ));
        assert!(matches!(
            profile_from_reabank("// nothing\n", None),
            Err(ReabankError::NoBank { .. })
        ));
        assert!(matches!(
            profile_from_reabank("Bank 0 0 Shorts\n40 staccato\n", None),
            Err(ReabankError::NoRoles { .. })
        ));
        let error = profile_from_reabank(BANK, Some("brass")).unwrap_err();
        assert!(
            error.to_string().contains("Test Strings; Other Bank"),
            "{error}"
        );
    }
}
