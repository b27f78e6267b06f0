//! Rules for account fields. The browser runs them while the user types; the
//! server runs the same code as the authority.

pub mod id_number;
pub mod login_guard;
pub mod verification;

use crate::domain::form::{Field, FieldError, Problem};
use serde::{Deserialize, Serialize};

pub const USERNAME_LEN: (u32, u32) = (3, 20);
pub const NICKNAME_LEN: (u32, u32) = (2, 20);
pub const PASSWORD_LEN: (u32, u32) = (8, 64);
const EMAIL_MAX: u32 = 254;
/// The longest username or e-mail the log-in form accepts (an e-mail's limit).
pub const LOGIN_MAX: u32 = EMAIL_MAX;

pub(crate) fn length(s: &str, (min, max): (u32, u32)) -> Result<(), Problem> {
    let n = s.chars().count();
    if n == 0 {
        Err(Problem::Required)
    } else if n < min as usize {
        Err(Problem::TooShort { min })
    } else if n > max as usize {
        Err(Problem::TooLong { max })
    } else {
        Ok(())
    }
}

/// Latin letters, digits and `_`, starting with a letter; compared without case.
/// Returns the username as stored (lower case).
pub fn check_username(input: &str) -> Result<String, Problem> {
    let name = input.trim();
    length(name, USERNAME_LEN)?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Problem::InvalidChars);
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(Problem::MustStartWithLetter);
    }
    Ok(name.to_ascii_lowercase())
}

/// Any script (Chinese, Korean…), no control or invisible formatting characters,
/// inner spaces collapsed.
pub fn check_nickname(input: &str) -> Result<String, Problem> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    length(&name, NICKNAME_LEN)?;
    if name.chars().any(is_invisible) {
        return Err(Problem::InvalidChars);
    }
    Ok(name)
}

/// Control and invisible formatting characters (zero-width, direction
/// overrides), which let one name pass for another.
pub(crate) fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// Where an account stands. Later features (bidding, listing, the wallet) ask
/// this rather than reading status columns themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    Active,
    /// Suspended until this time (Unix ms); active again afterwards.
    Suspended {
        until: i64,
    },
    Blacklisted,
}

impl Standing {
    /// Reads the stored status; a suspension whose end has passed is over.
    pub fn from_status(status: &str, suspended_until: Option<i64>, now: i64) -> Standing {
        match (status, suspended_until) {
            ("blacklisted", _) => Standing::Blacklisted,
            ("suspended", Some(until)) if until > now => Standing::Suspended { until },
            ("suspended", None) => Standing::Suspended { until: i64::MAX },
            _ => Standing::Active,
        }
    }

    /// Whether the account may list, offer, bid or buy.
    pub fn may_trade(self) -> bool {
        self == Standing::Active
    }

    /// Whether money may move in or out of the account's wallet.
    pub fn may_move_money(self, wallet_frozen: bool) -> bool {
        self.may_trade() && !wallet_frozen
    }
}

pub const INTRO_MAX: u32 = 500;

/// Free text about oneself: up to 500 characters, line breaks kept, other
/// control characters refused, surrounding blank space dropped.
pub fn check_intro(input: &str) -> Result<String, Problem> {
    let intro = input.trim().replace("\r\n", "\n");
    if intro.chars().count() > INTRO_MAX as usize {
        return Err(Problem::TooLong { max: INTRO_MAX });
    }
    if intro.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Problem::InvalidChars);
    }
    Ok(intro)
}

/// 8–64 characters with at least one letter, one digit and one symbol.
pub fn check_password(password: &str) -> Result<(), Problem> {
    length(password, PASSWORD_LEN)?;
    if !password.chars().any(char::is_alphabetic) {
        return Err(Problem::NeedsLetter);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(Problem::NeedsDigit);
    }
    if !password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace())
    {
        return Err(Problem::NeedsSymbol);
    }
    Ok(())
}

/// A plausible address whose domain is allowed (an empty list allows all; an
/// entry matches the domain itself and its subdomains). Returns it with the
/// domain in lower case.
pub fn check_email(input: &str, allowed_domains: &[String]) -> Result<String, Problem> {
    let email = input.trim();
    if email.is_empty() {
        return Err(Problem::Required);
    }
    if email.chars().count() > EMAIL_MAX as usize {
        return Err(Problem::TooLong { max: EMAIL_MAX });
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(Problem::InvalidFormat);
    };
    let domain = domain.to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !"()<>[]\\,;:\"".contains(c));
    if !local_ok || !domain.contains('.') || !domain.split('.').all(label_ok) {
        return Err(Problem::InvalidFormat);
    }
    let allowed = allowed_domains.is_empty()
        || allowed_domains.iter().any(|d| {
            let d = d.trim().trim_start_matches('@').to_ascii_lowercase();
            domain == d || domain.ends_with(&format!(".{d}"))
        });
    if !allowed {
        return Err(Problem::DomainNotAllowed);
    }
    Ok(format!("{local}@{domain}"))
}

/// A sign-up form after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub username: String,
    pub nickname: String,
    pub email: String,
}

/// Checks every field of the sign-up form and reports every problem at once.
pub fn check_sign_up(
    username: &str,
    nickname: &str,
    email: &str,
    password: &str,
    allowed_domains: &[String],
) -> Result<NewAccount, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut field = |field: Field, result: Result<String, Problem>| match result {
        Ok(value) => value,
        Err(problem) => {
            errors.push(FieldError { field, problem });
            String::new()
        }
    };
    let username = field(Field::Username, check_username(username));
    let nickname = field(Field::Nickname, check_nickname(nickname));
    let email = field(Field::Email, check_email(email, allowed_domains));
    field(
        Field::Password,
        check_password(password).map(|()| String::new()),
    );
    if errors.is_empty() {
        Ok(NewAccount {
            username,
            nickname,
            email,
        })
    } else {
        Err(errors)
    }
}

/// Where to go after logging in: `next` if it is a plain path on this site,
/// else the home page, so a log-in link cannot send people elsewhere.
///
/// Browsers drop tabs and line breaks from URLs, so `/\t/evil.example` would
/// reach them as `//evil.example`, another site; and a line break in a
/// `Location` header is no header at all. So a path must start with one `/`
/// (not `//` or `/\`), hold no backslash, and no control or space character.
pub fn local_path(next: Option<&str>) -> &str {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p[1..].starts_with(['/', '\\'])
                && !p
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            p
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests;
