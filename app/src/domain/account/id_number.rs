//! National identity numbers: recognising them in OCR text and verifying their
//! check digits.

use crate::domain::form::Problem;
use serde::{Deserialize, Serialize};

/// An ID card is 85.6 × 54 mm, 1.59 times as wide as tall. A photo of one,
/// in either orientation, with a margin around the card or cropped a little
/// tight, has its long side between these multiples of its short side
/// (4:3, 3:2, 16:9 and 2:1 phone photos pass; a square or a strip does not).
pub const CARD_MIN_RATIO: f64 = 1.2;
pub const CARD_MAX_RATIO: f64 = 2.2;
/// Fewer pixels than this across the card's short side cannot show its print.
pub const CARD_MIN_SHORT_SIDE: u32 = 300;

/// Whether a `width`×`height` photo can be an ID card; refused with
/// [`Problem::NotAnIdCard`] otherwise.
pub fn check_card_shape(width: u32, height: u32) -> Result<(), Problem> {
    let (long, short) = (width.max(height), width.min(height));
    let ratio = f64::from(long) / f64::from(short.max(1));
    if short < CARD_MIN_SHORT_SIDE || !(CARD_MIN_RATIO..=CARD_MAX_RATIO).contains(&ratio) {
        return Err(Problem::NotAnIdCard);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// 中華民國國民身分證: a letter and nine digits.
    Taiwan,
    /// 居民身份证: 17 digits and a check character (digit or X).
    Prc,
    /// 주민등록번호: 13 digits, usually written YYMMDD-NNNNNNN.
    Korea,
}

/// A syntactically valid number with a correct check digit, in canonical form
/// (upper case, no separators).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdNumber {
    pub kind: IdKind,
    pub canonical: String,
}

impl IdNumber {
    /// Parses what a person typed ("a123456789", "800101-1234568").
    pub fn parse(input: &str) -> Option<IdNumber> {
        let canonical: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let kind = if is_valid_taiwan(&canonical) {
            IdKind::Taiwan
        } else if is_valid_prc(&canonical) {
            IdKind::Prc
        } else if is_valid_korea(&canonical) {
            IdKind::Korea
        } else {
            return None;
        };
        Some(IdNumber { kind, canonical })
    }
}

/// Letter codes of the Taiwan ID's first character (not alphabetical: I, O, W
/// and Z were added later).
fn taiwan_letter_code(letter: char) -> Option<u32> {
    const CODES: [u32; 26] = [
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32,
        30, 31, 33,
    ];
    letter
        .is_ascii_uppercase()
        .then(|| CODES[(letter as u8 - b'A') as usize])
}

/// Letter + 9 digits; the second character is the sex (1 or 2, or 8 or 9 on
/// resident certificates); weights 1,9,8,7,6,5,4,3,2,1,1 over the two digits of
/// the letter code and the nine digits; the sum is divisible by 10.
pub fn is_valid_taiwan(id: &str) -> bool {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 10 || !chars[1..].iter().all(char::is_ascii_digit) {
        return false;
    }
    let Some(code) = taiwan_letter_code(chars[0]) else {
        return false;
    };
    if !matches!(chars[1], '1' | '2' | '8' | '9') {
        return false;
    }
    let mut digits = vec![code / 10, code % 10];
    digits.extend(chars[1..].iter().filter_map(|c| c.to_digit(10)));
    const WEIGHTS: [u32; 11] = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];
    digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum::<u32>() % 10 == 0
}

/// ISO 7064 MOD 11-2 over the first 17 digits, with a plausible birth date.
pub fn is_valid_prc(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [u8; 11] = *b"10X98765432";
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let number = |range: std::ops::Range<usize>| id[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(6..10), number(10..12), number(12..14));
    bytes[17] == CHECK[(sum % 11) as usize]
        && (1800..=2100).contains(&year)
        && is_date(year, month, day)
}

/// Weights 2..9,2..5 over the first 12 digits; check = (11 − sum mod 11) mod 10.
/// Numbers issued since October 2020 end in random digits and carry no check
/// digit; they fail here and go to manual review.
pub fn is_valid_korea(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 13 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let digit = |i: usize| u32::from(bytes[i] - b'0');
    const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = WEIGHTS.iter().enumerate().map(|(i, w)| digit(i) * w).sum();
    let century = match digit(6) {
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        9 | 0 => 1800,
        _ => return false,
    };
    let year = century + digit(0) * 10 + digit(1);
    let (month, day) = (digit(2) * 10 + digit(3), digit(4) * 10 + digit(5));
    (11 - sum % 11) % 10 == digit(12) && is_date(year, month, day)
}

fn is_date(year: u32, month: u32, day: u32) -> bool {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Every valid identity number in a block of OCR text. OCR splits numbers with
/// spaces or hyphens and confuses a few glyphs, so runs of characters are
/// normalised before checking; only numbers whose check digit holds are kept.
pub fn find_in_text(text: &str) -> Vec<IdNumber> {
    let mut found: Vec<IdNumber> = Vec::new();
    for line in text.lines() {
        // Keep letters, digits and the separators OCR inserts inside numbers.
        let cleaned: String = line
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    ' '
                }
            })
            .collect();
        let tokens: Vec<&str> = cleaned.split_whitespace().collect();
        // Try each token and each run of up to three adjacent tokens joined.
        for start in 0..tokens.len() {
            let mut joined = String::new();
            for token in tokens.iter().skip(start).take(3) {
                joined.push_str(token);
                for candidate in ocr_variants(&joined) {
                    if let Some(id) = IdNumber::parse(&candidate)
                        && !found.contains(&id)
                    {
                        found.push(id);
                    }
                }
            }
        }
    }
    found
}

/// The token as read, and with letters OCR commonly mistakes for digits mapped
/// back (all positions but a leading Taiwan letter).
fn ocr_variants(token: &str) -> Vec<String> {
    let fix = |c: char| match c {
        'O' | 'Q' | 'D' => '0',
        'I' | 'L' => '1',
        'Z' => '2',
        'S' => '5',
        'B' => '8',
        other => other,
    };
    let mut variants = vec![token.to_string()];
    let mut chars = token.chars();
    if let Some(first) = chars.next() {
        let rest: String = chars.map(fix).collect();
        variants.push(format!("{first}{rest}"));
        // The final X of a PRC number is a letter and must survive.
        let all: String = token
            .char_indices()
            .map(|(i, c)| {
                if i == token.len() - 1 && c == 'X' {
                    c
                } else {
                    fix(c)
                }
            })
            .collect();
        variants.push(all);
    }
    variants.dedup();
    variants
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_taiwan_examples() {
        assert!(is_valid_taiwan("A123456789"));
        assert!(is_valid_taiwan("F131104093"));
        assert!(!is_valid_taiwan("A123456788"), "wrong check digit");
        assert!(
            !is_valid_taiwan("A323456789"),
            "sex digit must be 1, 2, 8 or 9"
        );
        assert!(
            !is_valid_taiwan("a123456789"),
            "canonical form is upper case"
        );
        assert!(!is_valid_taiwan("A12345678"));
        assert!(!is_valid_taiwan("1123456789"));
    }

    #[test]
    fn published_prc_examples() {
        assert!(is_valid_prc("11010519491231002X"));
        assert!(is_valid_prc("440524188001010014"));
        assert!(!is_valid_prc("110105194912310021"), "wrong check character");
        assert!(!is_valid_prc("11010519491331002X"), "month 13");
        assert!(!is_valid_prc("1101051949123100"));
    }

    #[test]
    fn korean_numbers() {
        assert!(is_valid_korea(&with_korean_check("800101123456")));
        assert!(
            is_valid_korea(&with_korean_check("040229345678")),
            "2004 was a leap year"
        );
        assert!(
            !is_valid_korea(&with_korean_check("050229345678")),
            "2005 was not"
        );
        assert!(!is_valid_korea("8001011234569"));
        assert!(!is_valid_korea(&with_korean_check("801301123456")));
    }

    fn with_korean_check(first12: &str) -> String {
        let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
        let sum: u32 = first12
            .bytes()
            .zip(weights)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        format!("{first12}{}", (11 - sum % 11) % 10)
    }

    #[test]
    fn parse_normalises_what_people_type() {
        let tw = IdNumber::parse(" a123456789 ").unwrap();
        assert_eq!(
            tw,
            IdNumber {
                kind: IdKind::Taiwan,
                canonical: "A123456789".into()
            }
        );
        let prc = IdNumber::parse("110105 19491231 002x").unwrap();
        assert_eq!(prc.kind, IdKind::Prc);
        assert_eq!(prc.canonical, "11010519491231002X");
        let kr = IdNumber::parse(&format!(
            "800101-{}",
            &with_korean_check("800101123456")[6..]
        ))
        .unwrap();
        assert_eq!(kr.kind, IdKind::Korea);
        assert_eq!(IdNumber::parse("hello"), None);
        assert_eq!(IdNumber::parse(""), None);
    }

    #[test]
    fn finds_numbers_in_noisy_ocr_text() {
        let text = "中華民國國民身分證\n姓名 王小明\n統一編號 A1234 56789\n出生 民國70年";
        assert_eq!(
            find_in_text(text),
            vec![IdNumber::parse("A123456789").unwrap()]
        );
        // O read for 0 and I for 1 inside the digits.
        let found = find_in_text("ID: F I3II04O93");
        assert_eq!(found, vec![IdNumber::parse("F131104093").unwrap()]);
        let found = find_in_text("公民身份号码 11010519491231002X");
        assert_eq!(found[0].kind, IdKind::Prc);
        assert!(find_in_text("no number here 12345").is_empty());
        assert!(
            find_in_text("A123456788").is_empty(),
            "a failed check digit is not a number"
        );
    }

    #[test]
    fn only_card_shaped_photos_pass() {
        for (w, h) in [
            (856, 540),
            (540, 856),
            (4000, 3000),
            (1920, 1080),
            (2000, 1000),
            (360, 300),
        ] {
            assert_eq!(check_card_shape(w, h), Ok(()), "{w}×{h}");
        }
        for (w, h) in [
            (1, 8000),
            (8000, 1),
            (8000, 8000),
            (1000, 1000),
            (3000, 1000),
            (480, 299),
            (0, 0),
        ] {
            assert_eq!(check_card_shape(w, h), Err(Problem::NotAnIdCard), "{w}×{h}");
        }
    }

    fn taiwan_letter() -> impl Strategy<Value = char> {
        prop::sample::select(('A'..='Z').collect::<Vec<_>>())
    }

    proptest! {
        /// Exactly one check digit completes any Taiwan prefix.
        #[test]
        fn one_taiwan_check_digit(letter in taiwan_letter(), sex in prop::sample::select(vec!['1', '2']), body in "[0-9]{7}") {
            let valid: Vec<char> = ('0'..='9')
                .filter(|d| is_valid_taiwan(&format!("{letter}{sex}{body}{d}")))
                .collect();
            prop_assert_eq!(valid.len(), 1);
        }

        /// Changing any single digit of a valid PRC number breaks it (MOD 11-2
        /// detects all single-digit errors).
        #[test]
        fn prc_detects_single_digit_errors(pos in 0usize..17, delta in 1u8..10) {
            let id = b"11010519491231002X".to_vec();
            let mut changed = id.clone();
            changed[pos] = b'0' + (changed[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(changed).unwrap();
            prop_assert!(!is_valid_prc(&changed) || changed == String::from_utf8(id).unwrap());
        }

        /// The rule does not care which way the photo was taken.
        #[test]
        fn card_shape_ignores_orientation(w in 0u32..10_000, h in 0u32..10_000) {
            prop_assert_eq!(check_card_shape(w, h), check_card_shape(h, w));
        }

        #[test]
        fn never_panics_on_arbitrary_text(text in ".{0,200}") {
            let _ = find_in_text(&text);
            let _ = IdNumber::parse(&text);
        }
    }
}
