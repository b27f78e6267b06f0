use super::{Segment, segments};
use proptest::prelude::*;

fn link(text: &str, host: &str) -> Segment {
    Segment::Link {
        href: text.to_owned(),
        host: host.to_owned(),
        text: text.to_owned(),
    }
}

fn text(t: &str) -> Segment {
    Segment::Text(t.to_owned())
}

#[test]
fn plain_text_is_one_piece() {
    assert_eq!(segments("see you at 6"), vec![text("see you at 6")]);
    assert_eq!(segments(""), vec![]);
}

#[test]
fn an_address_in_a_sentence_becomes_a_link_without_its_full_stop() {
    assert_eq!(
        segments("Photos: https://example.com/a?b=1#c. Thanks"),
        vec![
            text("Photos: "),
            link("https://example.com/a?b=1#c", "example.com"),
            text(". Thanks"),
        ]
    );
    assert_eq!(
        segments("(see http://shop.example:8080/x)"),
        vec![
            text("(see "),
            link("http://shop.example:8080/x", "shop.example"),
            text(")"),
        ]
    );
}

#[test]
fn a_bracket_the_address_opened_stays_in_it() {
    assert_eq!(
        segments("https://en.wikipedia.org/wiki/Rust_(language)!"),
        vec![
            link(
                "https://en.wikipedia.org/wiki/Rust_(language)",
                "en.wikipedia.org"
            ),
            text("!"),
        ]
    );
}

#[test]
fn the_scheme_is_lowered_in_the_href_only() {
    assert_eq!(
        segments("HTTPS://Example.com"),
        vec![Segment::Link {
            href: "https://Example.com".into(),
            host: "example.com".into(),
            text: "HTTPS://Example.com".into(),
        }]
    );
}

#[test]
fn other_schemes_and_disguised_hosts_stay_text() {
    for body in [
        "javascript:alert(1)",
        "data:text/html,<b>hi</b>",
        "ftp://example.com",
        "http://bank.example@evil.example/",
        "http://bank.example:443@evil.example/",
        "http://",
        "http://-bad-.example",
        "http://a..b/",
        "xhttp://example.com",
        "http:\\\\evil.example",
        "http://[::1]/",
    ] {
        assert!(
            segments(body).iter().all(|s| matches!(s, Segment::Text(_))),
            "{body} became a link"
        );
    }
}

#[test]
fn an_address_ends_at_markup_characters() {
    assert_eq!(
        segments("http://example.com/<script>"),
        vec![link("http://example.com/", "example.com"), text("<script>")]
    );
}

proptest! {
    #[test]
    fn pieces_give_the_text_back(body in "\\PC{0,60}|(.{0,10}(https?|HTTP|javascript):/{0,2}[a-z.@:/()?#-]{0,20}[ .,)!]?){1,4}") {
        let joined: String = segments(&body).iter().map(Segment::text).collect();
        prop_assert_eq!(joined, body);
    }

    #[test]
    fn only_web_addresses_with_their_host_are_links(body in "(.{0,10}(https?|javascript|data|HtTp)://?[a-zA-Z0-9.@:/()?#%-]{0,20}.{0,3}){1,4}") {
        for segment in segments(&body) {
            if let Segment::Link { href, host, text } = segment {
                prop_assert!(href.starts_with("http://") || href.starts_with("https://"), "{}", href);
                prop_assert!(href.eq_ignore_ascii_case(&text));
                prop_assert!(!host.is_empty());
                prop_assert!(text.to_ascii_lowercase().contains(&host));
                // The host is the address's real destination: nothing but a
                // port or a path follows it.
                let after = &href[href.find("://").unwrap() + 3..];
                prop_assert!(after.to_ascii_lowercase().starts_with(&host));
                prop_assert!(!after[host.len()..].split(['/', '?', '#']).next().unwrap_or("").contains('@'));
            }
        }
    }
}
