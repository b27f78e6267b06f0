//! Text prepared for SQLite FTS5 (`unicode61` tokenizer).
//!
//! Chinese, Japanese and Korean are written without spaces between words, and
//! their words are often two characters long (蛋糕, 手機, 신발). A trigram index
//! cannot use its index for queries that short, and `unicode61` alone would
//! index a whole run as one token. So a run of such characters is indexed as its
//! overlapping pairs followed by its last character alone ("雞蛋糕" → "雞蛋 蛋糕
//! 糕"): every substring of two or more characters is a phrase of adjacent pairs,
//! and every single character starts some token, so a prefix query finds it.
//! Other scripts are left for `unicode61` to split into words.

/// Written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}' // CJK Extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK Unified Ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK Compatibility Ideographs
        | '\u{1100}'..='\u{11FF}' // Hangul Jamo
        | '\u{3130}'..='\u{318F}' // Hangul Compatibility Jamo
        | '\u{AC00}'..='\u{D7AF}' // Hangul Syllables
        | '\u{20000}'..='\u{2FA1F}')
}

/// A piece of text: a run of CJK characters, or anything else.
enum Piece<'a> {
    Cjk(Vec<char>),
    Other(&'a str),
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut other_from: Option<usize> = None;
    let mut run = Vec::new();
    for (i, c) in text.char_indices() {
        if is_cjk(c) {
            if let Some(from) = other_from.take() {
                out.push(Piece::Other(&text[from..i]));
            }
            run.push(c);
        } else {
            if !run.is_empty() {
                out.push(Piece::Cjk(std::mem::take(&mut run)));
            }
            other_from.get_or_insert(i);
        }
    }
    if let Some(from) = other_from {
        out.push(Piece::Other(&text[from..]));
    }
    if !run.is_empty() {
        out.push(Piece::Cjk(run));
    }
    out
}

/// Pairs then the last character: "雞蛋糕" → ["雞蛋", "蛋糕", "糕"].
fn run_tokens(run: &[char]) -> Vec<String> {
    let mut tokens: Vec<String> = run.windows(2).map(|w| w.iter().collect()).collect();
    if let Some(last) = run.last() {
        tokens.push(last.to_string());
    }
    tokens
}

/// The text to store in the index for `text`.
pub fn index_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for piece in pieces(text) {
        match piece {
            Piece::Other(s) => out.push_str(s),
            Piece::Cjk(run) => {
                out.push(' ');
                out.push_str(&run_tokens(&run).join(" "));
                out.push(' ');
            }
        }
    }
    out
}

/// Characters FTS5 would read as query syntax; they only separate words here.
fn is_syntax(c: char) -> bool {
    matches!(
        c,
        '"' | '*' | ':' | '^' | '(' | ')' | '{' | '}' | '[' | ']' | '+' | '-' | '\'' | '\\'
    )
}

/// Longest query kept, in characters; more cannot make a listing easier to find.
const MAX_QUERY_CHARS: usize = 100;
const MAX_TERMS: usize = 8;

/// An FTS5 `MATCH` expression for what someone typed: every word must appear
/// (as a prefix, so results follow typing), CJK words as substrings. `None`
/// when nothing searchable is left.
pub fn match_query(typed: &str) -> Option<String> {
    let typed: String = typed
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if is_syntax(c) { ' ' } else { c })
        .collect();
    let mut terms = Vec::new();
    for word in typed.split_whitespace().take(MAX_TERMS) {
        for piece in pieces(word) {
            match piece {
                Piece::Cjk(run) if run.len() == 1 => terms.push(format!("\"{}\"*", run[0])),
                Piece::Cjk(run) => {
                    let pairs: Vec<String> = run.windows(2).map(|w| w.iter().collect()).collect();
                    terms.push(format!("\"{}\"", pairs.join(" ")));
                }
                Piece::Other(s) => {
                    // unicode61 splits on punctuation itself; words without a
                    // letter or digit would make an empty phrase.
                    let s = s.trim();
                    if s.chars().any(char::is_alphanumeric) {
                        terms.push(format!("\"{s}\"*"));
                    }
                }
            }
        }
    }
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cjk_runs_become_pairs_and_a_last_character() {
        assert_eq!(
            index_text("雞蛋糕").split_whitespace().collect::<Vec<_>>(),
            ["雞蛋", "蛋糕", "糕"]
        );
        assert_eq!(
            index_text("MacBook Air M1 二手")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["MacBook", "Air", "M1", "二手", "手"]
        );
        assert_eq!(
            index_text("소니WH-1000XM4 헤드폰")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["소니", "니", "WH-1000XM4", "헤드", "드폰", "폰"]
        );
        assert_eq!(index_text("plain words"), "plain words");
        assert_eq!(index_text(""), "");
    }

    #[test]
    fn queries_quote_every_term_and_keep_no_syntax() {
        assert_eq!(match_query("iphone 13").unwrap(), "\"iphone\"* AND \"13\"*");
        assert_eq!(match_query("芒果蛋糕").unwrap(), "\"芒果 果蛋 蛋糕\"");
        assert_eq!(match_query("蛋").unwrap(), "\"蛋\"*");
        assert_eq!(match_query("헤드폰").unwrap(), "\"헤드 드폰\"");
        assert_eq!(
            match_query("MacBook二手").unwrap(),
            "\"MacBook\"* AND \"二手\""
        );
        // Operators and quotes typed by a user are only separators.
        assert_eq!(
            match_query("a\" OR title:x* NEAR(").unwrap(),
            "\"a\"* AND \"OR\"* AND \"title\"* AND \"x\"* AND \"NEAR\"*"
        );
        assert_eq!(match_query("  "), None);
        assert_eq!(match_query("-- !!"), None);
    }

    proptest! {
        /// Whatever is typed, the expression has balanced quotes and no syntax
        /// characters outside them but `*`.
        #[test]
        fn any_input_gives_a_well_formed_expression(typed in "\\PC{0,120}") {
            if let Some(q) = match_query(&typed) {
                prop_assert_eq!(q.matches('"').count() % 2, 0);
                for (i, part) in q.split('"').enumerate() {
                    if i % 2 == 0 {
                        prop_assert!(part.chars().all(|c| c == '*' || c == ' ' || "AND".contains(c)), "{:?}", part);
                    }
                }
            }
        }

        /// Any substring of two or more CJK characters of an indexed text is
        /// a run of adjacent tokens in the index.
        #[test]
        fn cjk_substrings_are_phrases_of_the_index(text in "[一-龥가-힣]{2,12}", a in 0usize..12, len in 2usize..6) {
            let chars: Vec<char> = text.chars().collect();
            prop_assume!(a + len <= chars.len());
            let sub: Vec<char> = chars[a..a + len].to_vec();
            let index: Vec<String> = index_text(&text).split_whitespace().map(String::from).collect();
            let phrase: Vec<String> = sub.windows(2).map(|w| w.iter().collect()).collect();
            prop_assert!(index.windows(phrase.len()).any(|w| w == phrase.as_slice()));
        }
    }
}
