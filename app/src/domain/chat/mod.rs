//! Conversations' pure rules: what a message may hold, and (in `links`) how
//! its text is shown with safe links.

pub mod links;

use crate::domain::form::{Field, Problem};

/// Characters a message's text may have (after trimming).
pub const MAX_TEXT: usize = 2_000;
/// Photos one message may carry.
pub const MAX_IMAGES: usize = 4;
/// Characters of the newest message the inbox shows.
pub const PREVIEW_CHARS: usize = 80;

/// A message as it will be stored: its text trimmed, its photos' ids once each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub text: String,
    pub images: Vec<i64>,
}

/// Checks what a member sends: text (trimmed; carriage returns dropped, as
/// browsers differ in sending them; no other control character but newline
/// and tab), at most [`MAX_TEXT`] characters, empty only when photos go with
/// it; at most [`MAX_IMAGES`] photos, an id named twice counting once.
pub fn check_message(text: &str, images: &[i64]) -> Result<Outgoing, (Field, Problem)> {
    let mut images = images.to_vec();
    images.sort_unstable();
    images.dedup();
    if images.len() > MAX_IMAGES {
        return Err((
            Field::Images,
            Problem::TooMany {
                max: MAX_IMAGES as u32,
            },
        ));
    }
    let text: String = text.chars().filter(|c| *c != '\r').collect();
    let text = text.trim();
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err((Field::Message, Problem::InvalidChars));
    }
    if text.chars().count() > MAX_TEXT {
        return Err((
            Field::Message,
            Problem::TooLong {
                max: MAX_TEXT as u32,
            },
        ));
    }
    if text.is_empty() && images.is_empty() {
        return Err((Field::Message, Problem::Required));
    }
    Ok(Outgoing {
        text: text.to_owned(),
        images,
    })
}

/// A message's text as one inbox line: runs of whitespace (newlines too)
/// become one space, cut after [`PREVIEW_CHARS`] characters with an
/// ellipsis; `None` for a message without text (photos only, a call's line).
pub fn preview(body: &str) -> Option<String> {
    let mut words = body.split_whitespace();
    let first = words.next()?;
    let mut line = String::from(first);
    for word in words {
        line.push(' ');
        line.push_str(word);
    }
    if line.chars().count() <= PREVIEW_CHARS {
        return Some(line);
    }
    let mut cut: String = line.chars().take(PREVIEW_CHARS).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    Some(cut)
}

#[cfg(test)]
mod tests;
