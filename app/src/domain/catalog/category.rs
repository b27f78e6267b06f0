//! The fixed category tree. Slugs are stable (URLs and the database use them);
//! names are translated in the locale files under `cat_<slug>`.

/// One category; `parent` is `None` for a top-level one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    pub slug: &'static str,
    pub parent: Option<&'static str>,
    /// Sells something delivered as data (an account, a code), so it may carry
    /// delivery secrets.
    pub digital: bool,
}

const fn top(slug: &'static str) -> Category {
    Category {
        slug,
        parent: None,
        digital: false,
    }
}

const fn sub(parent: &'static str, slug: &'static str) -> Category {
    Category {
        slug,
        parent: Some(parent),
        digital: false,
    }
}

/// Parents come before their children; the order is the display order.
pub const CATEGORIES: &[Category] = &[
    top("electronics"),
    sub("electronics", "phones"),
    sub("electronics", "computers"),
    sub("electronics", "audio"),
    sub("electronics", "cameras"),
    top("fashion"),
    sub("fashion", "clothing"),
    sub("fashion", "bags"),
    sub("fashion", "shoes"),
    top("home"),
    sub("home", "furniture"),
    sub("home", "kitchen"),
    top("books"),
    sub("books", "textbooks"),
    sub("books", "comics"),
    top("games"),
    sub("games", "consoles"),
    sub("games", "video_games"),
    Category {
        slug: "game_accounts",
        parent: Some("games"),
        digital: true,
    },
    top("sports"),
    sub("sports", "bikes"),
    sub("sports", "outdoor"),
    top("desserts"),
    top("collectibles"),
    top("kids"),
    top("other"),
];

pub fn find(slug: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.slug == slug)
}

pub fn top_level() -> impl Iterator<Item = &'static Category> {
    CATEGORIES.iter().filter(|c| c.parent.is_none())
}

pub fn children(slug: &str) -> impl Iterator<Item = &'static Category> + '_ {
    CATEGORIES.iter().filter(move |c| c.parent == Some(slug))
}

/// The category and everything under it: what a filter by `slug` matches.
pub fn with_descendants(slug: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = find(slug).map(|c| c.slug).into_iter().collect();
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(children(parent).map(|c| c.slug));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn slugs_are_unique_and_parents_come_first() {
        let mut seen = HashSet::new();
        for c in CATEGORIES {
            assert!(seen.insert(c.slug), "duplicate {}", c.slug);
            if let Some(p) = c.parent {
                assert!(seen.contains(p), "{} listed before its parent {p}", c.slug);
            }
            assert!(
                c.slug
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '_')
            );
        }
    }

    #[test]
    fn a_parent_filter_covers_its_children() {
        assert_eq!(
            with_descendants("games"),
            vec!["games", "consoles", "video_games", "game_accounts"]
        );
        assert_eq!(with_descendants("phones"), vec!["phones"]);
        assert!(with_descendants("nope").is_empty());
        assert!(find("game_accounts").unwrap().digital);
        assert!(!find("phones").unwrap().digital);
        assert_eq!(top_level().count(), 10);
    }
}
