//! Reading internally tagged enums (`{"type":"bid","listing":3,…}`) without
//! buffering.
//!
//! serde's own reader for `#[serde(tag = …)]` enums first copies the whole
//! message into a generic `Content` tree, because the tag may come anywhere in
//! the map; every type nested in such a message is then compiled a second time
//! for that tree. The browser bundle carried about 130 KB of that code. serde
//! writes the tag first, and so do Haggle's clients, so [`tag_first!`] reads the
//! tag as the first key and the variant's fields straight from the rest of the
//! map. A message whose tag is not first is refused like any malformed one.
//!
//! Writing stays with serde's derive (`#[derive(Serialize)]` and the same
//! `#[serde(tag = …)]` attributes), so the wire format is unchanged.

/// Implements `Deserialize` for an internally tagged enum: its tag key, then
/// each variant's tag and fields, then (after `;`) the enums of other areas
/// whose variants travel untagged inside this one (`Variant(Enum)`), tried by
/// their tags. Each enum listed there must use this macro too.
macro_rules! tag_first {
    (
        $enum:ident, $tag:literal,
        $( $name:literal => $variant:ident $({ $($field:ident : $ty:ty),* $(,)? })? ),* $(,)?
        $(; $( $area:ident ( $sub:ty ) ),* $(,)? )?
    ) => {
        impl $enum {
            /// The tags this enum reads itself.
            #[allow(dead_code)]
            pub(crate) const TAGS: &'static [&'static str] = &[$($name),*];

            /// Reads the variant named `tag` from the rest of `map`.
            pub(crate) fn from_tagged<'de, A: serde::de::MapAccess<'de>>(
                tag: &str,
                #[allow(unused_mut)] mut map: A,
            ) -> Result<Self, A::Error> {
                match tag {
                    $( $name => $crate::domain::tagged::tag_first!(@variant $enum $variant map $({ $($field : $ty),* })?), )*
                    _ => {
                        $($(
                            if <$sub>::TAGS.contains(&tag) {
                                return <$sub>::from_tagged(tag, map).map($enum::$area);
                            }
                        )*)?
                        Err(serde::de::Error::unknown_variant(tag, Self::TAGS))
                    }
                }
            }
        }

        // Fails to compile when a variant of the enum is missing above: a
        // variant the macro does not list could be written but never read.
        const _: fn(&$enum) = |value| match value {
            $( $crate::domain::tagged::tag_first!(@pattern $enum $variant $({ $($field),* })?) => {} )*
            $($( $enum::$area(_) => {} )*)?
        };

        impl<'de> serde::Deserialize<'de> for $enum {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Tagged;
                impl<'de> serde::de::Visitor<'de> for Tagged {
                    type Value = $enum;

                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        write!(f, "a map whose first key is `{}`", $tag)
                    }

                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$enum, A::Error> {
                        match map.next_key::<std::borrow::Cow<'de, str>>()? {
                            Some(key) if key == $tag => {}
                            _ => return Err(serde::de::Error::missing_field($tag)),
                        }
                        let tag: std::borrow::Cow<'de, str> = map.next_value()?;
                        $enum::from_tagged(&tag, map)
                    }
                }
                deserializer.deserialize_map(Tagged)
            }
        }
    };
    (@pattern $enum:ident $variant:ident) => { $enum::$variant };
    (@pattern $enum:ident $variant:ident { $($field:ident),* }) => { $enum::$variant { .. } };
    (@variant $enum:ident $variant:ident $map:ident) => {{
        // A unit variant: whatever else the map holds is ignored, as serde does.
        while $map
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        Ok($enum::$variant)
    }};
    (@variant $enum:ident $variant:ident $map:ident { $($field:ident : $ty:ty),* }) => {{
        #[derive(serde::Deserialize)]
        struct Fields {
            $($field: $ty),*
        }
        let fields = <Fields as serde::Deserialize>::deserialize(
            serde::de::value::MapAccessDeserializer::new($map),
        )?;
        Ok($enum::$variant { $($field: fields.$field),* })
    }};
}

pub(crate) use tag_first;

#[cfg(test)]
mod tests {
    use serde::Serialize;

    #[derive(Debug, PartialEq, Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Inner {
        Bid { listing: i64, note: Option<String> },
    }
    tag_first!(Inner, "type", "bid" => Bid { listing: i64, note: Option<String> });

    #[derive(Debug, PartialEq, Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Outer {
        Ping,
        Online {
            count: u32,
        },
        #[serde(untagged)]
        Area(Inner),
    }
    tag_first!(Outer, "type", "ping" => Ping, "online" => Online { count: u32 }; Area(Inner));

    fn read(text: &str) -> Result<Outer, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_serde_writes() {
        for msg in [
            Outer::Ping,
            Outer::Online { count: 3 },
            Outer::Area(Inner::Bid {
                listing: 7,
                note: Some("hi".into()),
            }),
            Outer::Area(Inner::Bid {
                listing: 7,
                note: None,
            }),
        ] {
            let text = serde_json::to_string(&msg).unwrap();
            assert_eq!(read(&text), Ok(msg), "{text}");
        }
    }

    #[test]
    fn extra_fields_are_ignored_and_missing_ones_refused() {
        assert_eq!(read(r#"{"type":"ping","x":[1,{"y":2}]}"#), Ok(Outer::Ping));
        assert_eq!(
            read(r#"{"type":"online","count":1,"who":9}"#),
            Ok(Outer::Online { count: 1 })
        );
        assert_eq!(
            read(r#"{"type":"bid","listing":2}"#),
            Ok(Outer::Area(Inner::Bid {
                listing: 2,
                note: None
            }))
        );
        assert!(read(r#"{"type":"online"}"#).unwrap_err().contains("count"));
    }

    #[test]
    fn unknown_tags_misplaced_tags_and_non_maps_are_refused() {
        assert!(
            read(r#"{"type":"raise","amount":5}"#)
                .unwrap_err()
                .contains("raise")
        );
        assert!(read(r#"{"count":1,"type":"online"}"#).is_err());
        assert!(read(r#"{}"#).is_err());
        assert!(read(r#"["ping"]"#).is_err());
        assert!(read(r#""ping""#).is_err());
        assert!(read(r#"{"type":5}"#).is_err());
    }
}
