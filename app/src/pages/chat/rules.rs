//! The conversation page's pure rules: merging what arrives, where "Seen"
//! goes, when to say what this tab has read or that its user is typing.

// Read marks, typing signals and uploads happen in the browser only.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use crate::model::MessageView;

/// Photos one message may carry (the server holds the same bound).
pub const MAX_PHOTOS: usize = 4;

/// How long "… is typing" stays after the other member's last keystroke
/// signal.
pub const TYPING_SHOWN_MS: u64 = 5_000;

/// At most one typing signal this often while the box changes.
pub const TYPING_EVERY_MS: f64 = 3_000.0;

/// Puts `incoming` into `list` (kept in id order, which is the order
/// messages were sent): a message already there is replaced, never doubled
/// (a snapshot after a reconnect repeats what the tab has). True when a
/// message new to the list arrived.
pub fn merge(list: &mut Vec<MessageView>, incoming: impl IntoIterator<Item = MessageView>) -> bool {
    let mut added = false;
    for message in incoming {
        match list.binary_search_by_key(&message.id, |m| m.id) {
            Ok(i) => list[i] = message,
            Err(i) => {
                list.insert(i, message);
                added = true;
            }
        }
    }
    added
}

/// The message "Seen" goes under: the viewer's (`me`) newest message the
/// other member has read (`other_read`, a message id). Call log lines are
/// nobody's words and carry no receipt.
pub fn seen_message(list: &[MessageView], me: i64, other_read: i64) -> Option<i64> {
    list.iter()
        .rev()
        .filter(|m| m.from == me && m.call.is_none())
        .find(|m| m.id <= other_read)
        .map(|m| m.id)
}

/// The read mark to send now, when a message from the other member newer
/// than the mark already sent (`sent`) is in the list: everything shown.
pub fn read_up_to(list: &[MessageView], me: i64, sent: i64) -> Option<i64> {
    let newest_theirs = list.iter().rev().find(|m| m.from != me)?.id;
    (newest_theirs > sent).then(|| list.last().map_or(newest_theirs, |m| m.id))
}

/// The other member's read mark in a snapshot's `(user, up_to)` pairs.
pub fn read_mark_of(reads: &[(i64, i64)], user: i64) -> Option<i64> {
    reads
        .iter()
        .find(|(u, _)| *u == user)
        .map(|(_, up_to)| *up_to)
}

/// Whether a message with this text and these photos is worth sending.
pub fn sendable(text: &str, photos: usize) -> bool {
    !text.trim().is_empty() || photos > 0
}

/// Whether a typing signal is due at `now` (ms) after one sent at `last`.
pub fn typing_due(last: Option<f64>, now: f64) -> bool {
    last.is_none_or(|last| now - last >= TYPING_EVERY_MS)
}

/// How many of `chosen` photos fit beside the `held` ones.
pub fn photo_room(held: usize, chosen: usize) -> usize {
    chosen.min(MAX_PHOTOS.saturating_sub(held))
}

#[cfg(test)]
mod tests;
