use super::Body;
use leptos::prelude::*;

fn html(body: &str) -> String {
    let body = body.to_owned();
    Owner::new().with(|| view! { <Body body /> }.to_html())
}

#[test]
fn text_is_never_markup() {
    let out = html("<img src=x onerror=alert(1)> & <b>hi</b>");
    assert!(!out.contains("<img"), "{out}");
    assert!(!out.contains("<b>"), "{out}");
    assert!(out.contains("&lt;img"), "{out}");
}

#[test]
fn links_are_safe_and_show_their_host() {
    let out = html("see https://example.com/a?b=1. javascript:alert(1)");
    assert!(out.contains(r#"href="https://example.com/a?b=1""#), "{out}");
    assert!(
        out.contains(r#"rel="nofollow noopener noreferrer""#),
        "{out}"
    );
    assert!(out.contains(r#"target="_blank""#), "{out}");
    assert!(
        out.contains(r#"<strong class="chat-host">example.com"#),
        "{out}"
    );
    assert!(!out.contains(r#"href="javascript"#), "{out}");
    assert_eq!(out.matches("<a ").count(), 1, "{out}");
}
