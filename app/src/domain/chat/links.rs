//! A message's text cut into plain text and links, so pages show links as
//! safe anchors and everything else as text.
//!
//! Only `http://` and `https://` addresses become links, and only when the
//! host is a plain ASCII name or address followed by nothing that could move
//! the real destination elsewhere (`http://bank.example@evil.example` stays
//! text): what the reader sees as the host is where the link goes.

/// A piece of a message as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    /// `text` exactly as typed; `href` the same with its scheme in lower
    /// case; `host` the destination's host, shown beside it.
    Link {
        href: String,
        host: String,
        text: String,
    },
}

impl Segment {
    /// The text this piece stands for in the message.
    pub fn text(&self) -> &str {
        match self {
            Segment::Text(text) | Segment::Link { text, .. } => text,
        }
    }
}

/// Cuts `body` into text and links; the pieces' texts put together give
/// `body` back exactly.
pub fn segments(body: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while let Some(found) = next_scheme(body, at) {
        let Some(link) = link_at(body, found) else {
            at = found + 1;
            continue;
        };
        if plain_from < found {
            out.push(Segment::Text(body[plain_from..found].to_owned()));
        }
        at = found + link.text.len();
        plain_from = at;
        out.push(Segment::Link {
            href: link.href,
            host: link.host,
            text: link.text,
        });
    }
    if plain_from < body.len() {
        out.push(Segment::Text(body[plain_from..].to_owned()));
    }
    out
}

struct Found {
    href: String,
    host: String,
    text: String,
}

/// The byte offset of the next `http` (any case) at or after `from` that
/// starts a word.
fn next_scheme(body: &str, from: usize) -> Option<usize> {
    let bytes = body.as_bytes();
    (from..bytes.len()).find(|&i| {
        bytes.len() - i >= 4
            && bytes[i..i + 4].eq_ignore_ascii_case(b"http")
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
    })
}

/// The link starting at `start`, if one does.
fn link_at(body: &str, start: usize) -> Option<Found> {
    let rest = &body[start..];
    let scheme_len = if starts_with_ignore_case(rest, "https://") {
        8
    } else if starts_with_ignore_case(rest, "http://") {
        7
    } else {
        return None;
    };
    // The candidate runs to the first space or character no address holds
    // unescaped; everything in it is printable ASCII.
    let run = rest
        .find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"' | '`' | '\\'))
        .unwrap_or(rest.len());
    let text = trim_trailing(&rest[..run]);
    let after_scheme = &text[scheme_len..];
    let host_len = after_scheme
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(after_scheme.len());
    let host = &after_scheme[..host_len];
    if !valid_host(host) {
        return None;
    }
    let mut tail = &after_scheme[host_len..];
    if let Some(port) = tail.strip_prefix(':') {
        let digits = port
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(port.len());
        if digits == 0 || digits > 5 {
            return None;
        }
        tail = &port[digits..];
    }
    if !(tail.is_empty() || tail.starts_with(['/', '?', '#'])) {
        return None;
    }
    Some(Found {
        href: format!(
            "{}{}",
            text[..scheme_len].to_ascii_lowercase(),
            &text[scheme_len..]
        ),
        host: host.to_ascii_lowercase(),
        text: text.to_owned(),
    })
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Labels of letters, digits and inner hyphens, dot-separated.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Drops the punctuation that ends a sentence rather than the address: a
/// closing bracket stays when the address opened one ("…/Rust_(language)").
fn trim_trailing(mut text: &str) -> &str {
    loop {
        let Some(last) = text.chars().last() else {
            return text;
        };
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' => true,
            ')' => text.matches('(').count() < text.matches(')').count(),
            ']' => text.matches('[').count() < text.matches(']').count(),
            '}' => text.matches('{').count() < text.matches('}').count(),
            _ => false,
        };
        if !drop {
            return text;
        }
        text = &text[..text.len() - 1];
    }
}

#[cfg(test)]
mod tests;
