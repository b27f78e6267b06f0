//! Files people upload: read from a multipart form with a size limit. Images
//! in them are decoded by `images::decode` only.

use crate::domain::form::{Field, Problem};
use server_fn::codec::MultipartData;
use std::collections::HashMap;

pub const MAX_UPLOAD_MB: u32 = 10;
pub(crate) const MAX_UPLOAD_BYTES: usize = MAX_UPLOAD_MB as usize * 1024 * 1024;
/// Longest side accepted; larger photos are refused rather than shrunk, as a
/// decompression bomb would otherwise cost memory before we could tell.
pub const MAX_SIDE: u32 = 8000;

/// A parsed multipart form: text fields and file fields.
#[derive(Debug, Default)]
pub struct Form {
    pub texts: HashMap<String, String>,
    pub files: HashMap<String, Vec<u8>>,
}

/// What is wrong with an upload, reported on the form's file field.
#[derive(Debug, thiserror::Error)]
#[error("{field:?}: {problem:?}")]
pub struct UploadError {
    pub field: Field,
    pub problem: Problem,
}

impl Form {
    pub fn text(&self, name: &str) -> &str {
        self.texts.get(name).map(String::as_str).unwrap_or_default()
    }
}

/// The whole form may carry one full-size file plus short text fields; the
/// budget covers all parts together, so many parts cannot add up to more.
pub const FORM_BUDGET: usize = MAX_UPLOAD_BYTES + 64 * 1024;

/// The longest text field of an upload form (ours carry an ID number at most).
pub const MAX_TEXT: usize = 4 * 1024;

/// Reads the whole form, refusing it as soon as it grows past the budget, a
/// file past the upload limit or a text field past [`MAX_TEXT`]. Only the
/// fields `names` may come, each once: a form of thousands of tiny parts
/// would cost a parse and an allocation each. Problems are reported on
/// `field`, the form's file input.
pub async fn read_form(
    data: MultipartData,
    field: Field,
    names: &[&str],
) -> Result<Form, UploadError> {
    let refuse = |problem| UploadError { field, problem };
    let malformed = |why: String| {
        tracing::info!(why, "malformed upload");
        refuse(Problem::NotAnImage)
    };
    let mut multipart = data
        .into_inner()
        .ok_or_else(|| malformed("no multipart body".into()))?;
    let mut form = Form::default();
    let mut total = 0usize;
    while let Some(mut part) = multipart
        .next_field()
        .await
        .map_err(|e| malformed(e.to_string()))?
    {
        let name = part.name().unwrap_or_default().to_owned();
        if !names.contains(&name.as_str()) {
            return Err(malformed(format!("unexpected field {name:.64?}")));
        }
        if form.texts.contains_key(&name) || form.files.contains_key(&name) {
            return Err(malformed(format!("repeated field {name:?}")));
        }
        let is_file = part.file_name().is_some();
        let most = if is_file { MAX_UPLOAD_BYTES } else { MAX_TEXT };
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(|e| malformed(e.to_string()))? {
            total += chunk.len();
            if total > FORM_BUDGET || bytes.len() + chunk.len() > most {
                return Err(if is_file || total > FORM_BUDGET {
                    refuse(Problem::FileTooLarge {
                        max_mb: MAX_UPLOAD_MB,
                    })
                } else {
                    malformed(format!("text field {name:?} too long"))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            form.files.insert(name, bytes);
        } else {
            let text = String::from_utf8(bytes).map_err(|e| malformed(e.to_string()))?;
            form.texts.insert(name, text);
        }
    }
    Ok(form)
}

impl Form {
    /// Takes the form's file `name` out of the form; its bytes are decoded,
    /// if they are an image, only through `images::decode`.
    pub fn take_file(&mut self, name: &str, field: Field) -> Result<Vec<u8>, UploadError> {
        match self.files.remove(name) {
            Some(bytes) if !bytes.is_empty() => Ok(bytes),
            _ => Err(UploadError {
                field,
                problem: Problem::Required,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, RgbImage};
    use std::io::Cursor;

    /// A multipart body as a browser sends it, parsed as the server does.
    fn multipart(parts: &[(&str, Option<&str>, Vec<u8>)]) -> MultipartData {
        let mut body = Vec::new();
        for (name, file, content) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            let disposition = match file {
                Some(f) => format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\r\n"
                ),
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
            };
            body.extend_from_slice(disposition.as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        let stream = futures::stream::iter(
            body.chunks(64 * 1024)
                .map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c)))
                .collect::<Vec<_>>(),
        );
        MultipartData::Server(multer::Multipart::new(stream, "XyZ"))
    }

    #[tokio::test]
    async fn forms_are_read_within_one_budget() {
        let form = read_form(
            multipart(&[
                ("number", None, b"A123456789".to_vec()),
                ("photo", Some("card.png"), png(4, 4)),
            ]),
            Field::IdPhoto,
            &["number", "photo"],
        )
        .await
        .unwrap();
        assert_eq!(form.text("number"), "A123456789");
        assert_eq!(form.text("missing"), "");
        let mut form = form;
        assert_eq!(form.take_file("photo", Field::IdPhoto).unwrap(), png(4, 4));
        let gone = form.take_file("photo", Field::IdPhoto).unwrap_err();
        assert_eq!(
            (gone.field, gone.problem),
            (Field::IdPhoto, Problem::Required)
        );

        // Two files each under the limit still exceed the form's budget.
        let six_mb = vec![0u8; 6 * 1024 * 1024];
        let err = read_form(
            multipart(&[
                ("a", Some("a.png"), six_mb.clone()),
                ("b", Some("b.png"), six_mb),
            ]),
            Field::Avatar,
            &["a", "b"],
        )
        .await
        .unwrap_err();
        assert_eq!(
            (err.field, err.problem),
            (Field::Avatar, Problem::FileTooLarge { max_mb: 10 })
        );
    }

    #[tokio::test]
    async fn only_the_forms_own_fields_once_each_and_short_texts() {
        let refused = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| async move {
            read_form(multipart(&parts), Field::IdPhoto, &["number", "photo"])
                .await
                .unwrap_err()
                .problem
        };
        let photo = || ("photo", Some("card.png"), png(4, 4));
        let mut many = vec![photo()];
        many.extend((0..500).map(|_| ("junk", None, b"x".to_vec())));
        assert_eq!(refused(many).await, Problem::NotAnImage);
        let twice = vec![
            ("number", None, b"1".to_vec()),
            ("number", None, b"2".to_vec()),
        ];
        assert_eq!(refused(twice).await, Problem::NotAnImage);
        let long = vec![("number", None, vec![b'1'; MAX_TEXT + 1]), photo()];
        assert_eq!(refused(long).await, Problem::NotAnImage);
        let too_big = vec![("photo", Some("a.png"), vec![0u8; MAX_UPLOAD_BYTES + 1])];
        assert_eq!(
            refused(too_big).await,
            Problem::FileTooLarge {
                max_mb: MAX_UPLOAD_MB
            }
        );
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(RgbImage::new(width, height))
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }
}
