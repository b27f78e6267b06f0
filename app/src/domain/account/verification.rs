//! One-time codes sent by email or SMS, and the phone numbers they go to.

use crate::domain::form::Problem;

pub const CODE_DIGITS: usize = 6;
/// A code is good for five minutes…
pub const CODE_TTL_MS: i64 = 5 * 60_000;
/// …and for five tries, after which a new one must be requested.
pub const MAX_ATTEMPTS: i64 = 5;
/// A new code can be requested once a minute.
pub const RESEND_INTERVAL_MS: i64 = 60_000;

/// Six digits, as typed (spaces ignored, full-width digits accepted since CJK
/// input methods produce them).
pub fn check_code(input: &str) -> Result<String, Problem> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .collect();
    if code.is_empty() {
        Err(Problem::Required)
    } else if code.len() != CODE_DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        Err(Problem::NotACode)
    } else {
        Ok(code)
    }
}

/// Seconds until another code may be sent, if it is too soon.
pub fn resend_wait_secs(sent_at: i64, now: i64) -> Option<i64> {
    let ready = sent_at + RESEND_INTERVAL_MS;
    (now < ready).then(|| (ready - now + 999) / 1000)
}

/// A phone number in international form ("+886 912 345 678"), stored as `+`
/// and 8–15 digits. A country code is required: a market may span countries,
/// and a local number alone is ambiguous.
pub fn check_phone(input: &str) -> Result<String, Problem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Problem::Required);
    }
    let Some(rest) = trimmed.strip_prefix('+') else {
        return Err(Problem::NotAPhoneNumber);
    };
    let mut digits = String::with_capacity(16);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return Err(Problem::InvalidChars),
        }
    }
    if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
        return Err(Problem::NotAPhoneNumber);
    }
    Ok(format!("+{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(check_code(" 123 456 "), Ok("123456".into()));
        assert_eq!(check_code("１２３４５６"), Ok("123456".into()));
        assert_eq!(check_code(""), Err(Problem::Required));
        assert_eq!(check_code("12345"), Err(Problem::NotACode));
        assert_eq!(check_code("1234567"), Err(Problem::NotACode));
        assert_eq!(check_code("12345a"), Err(Problem::NotACode));
    }

    #[test]
    fn resending_waits_a_minute() {
        assert_eq!(resend_wait_secs(0, 0), Some(60));
        assert_eq!(resend_wait_secs(0, 59_001), Some(1));
        assert_eq!(resend_wait_secs(0, 60_000), None);
    }

    #[test]
    fn phones_need_a_country_code() {
        assert_eq!(check_phone("+886 912-345-678"), Ok("+886912345678".into()));
        assert_eq!(
            check_phone("+82 (10) 1234 5678"),
            Ok("+821012345678".into())
        );
        assert_eq!(check_phone("0912345678"), Err(Problem::NotAPhoneNumber));
        assert_eq!(check_phone("+0912345678"), Err(Problem::NotAPhoneNumber));
        assert_eq!(check_phone("+886 9x2"), Err(Problem::InvalidChars));
        assert_eq!(check_phone("+1234567"), Err(Problem::NotAPhoneNumber));
        assert_eq!(check_phone("  "), Err(Problem::Required));
    }

    proptest! {
        #[test]
        fn any_six_digits_pass_unchanged(code in "[0-9]{6}") {
            prop_assert_eq!(check_code(&code), Ok(code.clone()));
        }

        #[test]
        fn accepted_phones_are_canonical(input in "\\+[1-9][0-9 -]{6,20}") {
            if let Ok(phone) = check_phone(&input) {
                prop_assert!(phone.starts_with('+'));
                prop_assert!(phone[1..].chars().all(|c| c.is_ascii_digit()));
                prop_assert_eq!(check_phone(&phone), Ok(phone.clone()));
            }
        }
    }
}
