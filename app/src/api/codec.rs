//! How server functions answer: JSON, read in the browser as text.
//!
//! server_fn's own `Json` reads answers with `serde_json::from_slice`, while
//! resources read their hydration data with `serde_json::from_str`. A type that
//! travels both ways (listing cards, the viewer, a seller's card) was then
//! compiled into the browser bundle twice, once per reader. Reading answers as
//! text as well keeps one copy of each.

use serde::{Serialize, de::DeserializeOwned};
use server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType, codec::Post};

/// JSON in the body of a `POST` answer, read with `serde_json::from_str`.
pub struct JsonTextEncoding;

/// The output encoding every server function names (`output = JsonText`).
pub type JsonText = Post<JsonTextEncoding>;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn answers_read_back_as_written_and_bad_bytes_are_an_error() {
        let sent = vec![Some(3_i64), None];
        let bytes = <JsonTextEncoding as Encodes<Vec<Option<i64>>>>::encode(&sent).unwrap();
        assert_eq!(&bytes[..], b"[3,null]");
        let read: Vec<Option<i64>> = JsonTextEncoding::decode(bytes).unwrap();
        assert_eq!(read, sent);
        let garbled: Result<AppError, _> =
            JsonTextEncoding::decode(Bytes::from_static(b"\"\xff\""));
        assert!(garbled.is_err());
    }
}
