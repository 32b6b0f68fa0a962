//! The phrase of issue 21's first-take defect, shared by the clack-host and Ardour tests: seven
//! notes in bars 1–2 of a 4/4 song, (start quarter, length in quarters, key), last release at
//! quarter 7.

pub const PHRASE: [(f64, f64, u8); 7] = [
    (0.0, 1.0, 62),
    (1.0, 1.0, 64),
    (2.0, 1.0, 65),
    (3.0, 1.0, 67),
    (4.0, 1.5, 69),
    (5.5, 0.5, 67),
    (6.0, 1.0, 65),
];
