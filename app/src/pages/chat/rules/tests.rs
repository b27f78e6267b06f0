use super::*;
use crate::model::{CallOutcome, MessageView};

fn msg(id: i64, from: i64) -> MessageView {
    MessageView {
        id,
        from,
        body: format!("m{id}"),
        images: vec![],
        call: None,
        at: id * 1000,
    }
}

fn ids(list: &[MessageView]) -> Vec<i64> {
    list.iter().map(|m| m.id).collect()
}

#[test]
fn merging_keeps_id_order_and_never_doubles() {
    let mut list = vec![msg(3, 1), msg(5, 2)];
    assert!(merge(&mut list, vec![msg(4, 1), msg(5, 2), msg(9, 2)]));
    assert_eq!(ids(&list), vec![3, 4, 5, 9]);
    // A snapshot repeating what the tab has adds nothing.
    assert!(!merge(&mut list, vec![msg(3, 1), msg(4, 1)]));
    assert_eq!(ids(&list), vec![3, 4, 5, 9]);
    // Older messages go in front.
    assert!(merge(&mut list, vec![msg(1, 2), msg(2, 1)]));
    assert_eq!(ids(&list), vec![1, 2, 3, 4, 5, 9]);
}

#[test]
fn merging_takes_a_message_again_as_it_now_stands() {
    let mut list = vec![msg(3, 1)];
    let mut logged = msg(3, 1);
    logged.call = Some(CallOutcome::Missed);
    assert!(!merge(&mut list, vec![logged.clone()]));
    assert_eq!(list, vec![logged]);
}

#[test]
fn seen_goes_under_my_newest_message_they_read() {
    let list = vec![msg(1, 7), msg(2, 8), msg(3, 7), msg(4, 7)];
    assert_eq!(seen_message(&list, 7, 3), Some(3));
    assert_eq!(seen_message(&list, 7, 4), Some(4));
    assert_eq!(seen_message(&list, 7, 2), Some(1));
    assert_eq!(seen_message(&list, 7, 0), None);
    // Only the viewer's own messages carry it.
    assert_eq!(seen_message(&list, 8, 4), Some(2));
    assert_eq!(seen_message(&list, 9, 4), None);
}

#[test]
fn call_lines_carry_no_receipt() {
    let mut call = msg(2, 7);
    call.call = Some(CallOutcome::Declined);
    let list = vec![msg(1, 7), call];
    assert_eq!(seen_message(&list, 7, 2), Some(1));
}

#[test]
fn the_read_mark_goes_out_once_per_new_message_of_theirs() {
    let list = vec![msg(1, 8), msg(2, 7)];
    assert_eq!(read_up_to(&list, 7, 0), Some(2));
    assert_eq!(read_up_to(&list, 7, 2), None);
    assert_eq!(read_up_to(&list, 7, 1), None);
    assert_eq!(read_up_to(&[msg(1, 7)], 7, 0), None);
    assert_eq!(read_up_to(&[], 7, 0), None);
}

#[test]
fn a_snapshot_names_each_members_mark() {
    assert_eq!(read_mark_of(&[(7, 3), (8, 9)], 8), Some(9));
    assert_eq!(read_mark_of(&[(7, 3)], 8), None);
}

#[test]
fn empty_messages_are_not_sent() {
    assert!(!sendable("  \n", 0));
    assert!(sendable("", 1));
    assert!(sendable("hi", 0));
}

#[test]
fn typing_signals_are_spaced() {
    assert!(typing_due(None, 0.0));
    assert!(!typing_due(Some(1_000.0), 3_999.0));
    assert!(typing_due(Some(1_000.0), 4_000.0));
}

#[test]
fn photos_stop_at_four() {
    assert_eq!(photo_room(0, 6), 4);
    assert_eq!(photo_room(3, 2), 1);
    assert_eq!(photo_room(4, 1), 0);
    assert_eq!(photo_room(1, 1), 1);
}
