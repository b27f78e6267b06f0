use super::*;
use proptest::prelude::*;

#[test]
fn text_is_trimmed_and_needed_unless_photos_go_with_it() {
    let sent = check_message("  hello there \n", &[]).unwrap();
    assert_eq!(sent.text, "hello there");
    assert_eq!(
        check_message(" \n\t ", &[]),
        Err((Field::Message, Problem::Required))
    );
    let photo_only = check_message("  ", &[7]).unwrap();
    assert_eq!((photo_only.text.as_str(), photo_only.images), ("", vec![7]));
}

#[test]
fn long_text_many_photos_and_control_characters_are_refused() {
    let longest = "é".repeat(MAX_TEXT);
    assert_eq!(check_message(&longest, &[]).unwrap().text, longest);
    assert_eq!(
        check_message(&format!("{longest}x"), &[]),
        Err((Field::Message, Problem::TooLong { max: 2_000 }))
    );
    assert_eq!(
        check_message("hi", &[1, 2, 3, 4, 5]),
        Err((Field::Images, Problem::TooMany { max: 4 }))
    );
    // An id named twice is one photo.
    assert_eq!(
        check_message("hi", &[3, 1, 3, 2, 4, 1]).unwrap().images,
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        check_message("bell\u{7}", &[]),
        Err((Field::Message, Problem::InvalidChars))
    );
    assert_eq!(
        check_message("two\r\nlines\tand a tab", &[]).unwrap().text,
        "two\nlines\tand a tab"
    );
}

#[test]
fn previews_are_one_short_line() {
    assert_eq!(
        preview("  Is it\n\nstill   there? "),
        Some("Is it still there?".into())
    );
    assert_eq!(preview(" \n "), None);
    let long = "word ".repeat(40);
    let cut = preview(&long).unwrap();
    assert!(cut.ends_with("word…") || cut.ends_with("wor…"), "{cut}");
    assert!(cut.chars().count() <= PREVIEW_CHARS + 1);
}

proptest! {
    #[test]
    fn an_accepted_message_keeps_every_rule(
        text in "(\\PC|\n|\t|\r| ){0,2100}",
        images in proptest::collection::vec(0i64..8, 0..7),
    ) {
        match check_message(&text, &images) {
            Ok(sent) => {
                prop_assert!(sent.text.chars().count() <= MAX_TEXT);
                prop_assert_eq!(sent.text.trim(), sent.text.as_str());
                prop_assert!(!sent.text.contains('\r'));
                prop_assert!(!sent.text.is_empty() || !sent.images.is_empty());
                prop_assert!(sent.images.len() <= MAX_IMAGES);
                prop_assert!(sent.images.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(sent.images.iter().all(|i| images.contains(i)));
            }
            Err((Field::Message, Problem::Required)) => {
                prop_assert!(images.is_empty() && text.trim().is_empty());
            }
            Err((Field::Message, Problem::TooLong { .. })) => {
                prop_assert!(text.trim().chars().count() > MAX_TEXT);
            }
            Err((Field::Images, Problem::TooMany { .. })) => {
                let mut distinct = images.clone();
                distinct.sort_unstable();
                distinct.dedup();
                prop_assert!(distinct.len() > MAX_IMAGES);
            }
            Err(other) => prop_assert!(false, "unexpected refusal {:?}", other),
        }
    }

    #[test]
    fn a_preview_is_a_short_single_line_start_of_the_text(text in "(\\PC|\n|\t| ){0,300}") {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        match preview(&text) {
            None => prop_assert!(flat.is_empty()),
            Some(line) => {
                prop_assert!(!line.contains(['\n', '\t']));
                prop_assert!(line.chars().count() <= PREVIEW_CHARS + 1);
                match line.strip_suffix('…') {
                    Some(start) if flat.chars().count() > PREVIEW_CHARS => {
                        prop_assert!(flat.starts_with(start));
                        prop_assert!(!start.is_empty());
                    }
                    _ => prop_assert_eq!(line, flat),
                }
            }
        }
    }
}
