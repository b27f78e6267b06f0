//! Files people upload: read from a multipart form with a size limit, and images
//! decoded by their content (never by name or declared type).

use crate::domain::form::{Field, Problem};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use server_fn::codec::MultipartData;
use std::{collections::HashMap, io::Cursor};

pub const MAX_UPLOAD_MB: u32 = 10;
const MAX_UPLOAD_BYTES: usize = MAX_UPLOAD_MB as usize * 1024 * 1024;
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

/// Decodes the form's file `name` off the async runtime (decoding is CPU work).
pub async fn image_field(
    form: &Form,
    name: &str,
    field: Field,
) -> Result<DynamicImage, UploadError> {
    let bytes = match form.files.get(name) {
        Some(bytes) if !bytes.is_empty() => bytes.clone(),
        _ => {
            return Err(UploadError {
                field,
                problem: Problem::Required,
            });
        }
    };
    tokio::task::spawn_blocking(move || decode_image(&bytes))
        .await
        .unwrap_or(Err(Problem::NotAnImage))
        .map_err(|problem| UploadError { field, problem })
}

/// Decodes a JPEG, PNG or WebP by its content, turned upright by its EXIF
/// orientation. Whatever metadata it carried is gone once it is re-encoded.
pub fn decode_image(bytes: &[u8]) -> Result<DynamicImage, Problem> {
    if bytes.is_empty() {
        return Err(Problem::NotAnImage);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(Problem::FileTooLarge {
            max_mb: MAX_UPLOAD_MB,
        });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Problem::NotAnImage)?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
    ) {
        return Err(Problem::NotAnImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(300 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Problem::NotAnImage)?;
    let orientation = decoder.orientation().map_err(|_| Problem::NotAnImage)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|_| Problem::NotAnImage)?;
    img.apply_orientation(orientation);
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::RgbImage;

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
        assert!(decode_image(&form.files["photo"]).is_ok());

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

    #[test]
    fn real_images_decode_whatever_they_are_called() {
        let img = decode_image(&png(40, 30)).unwrap();
        assert_eq!((img.width(), img.height()), (40, 30));
    }

    #[test]
    fn non_images_and_oversized_ones_are_refused() {
        assert_eq!(decode_image(b"").unwrap_err(), Problem::NotAnImage);
        assert_eq!(
            decode_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap_err(),
            Problem::NotAnImage
        );
        assert_eq!(
            decode_image(b"GIF89a\x01\x00\x01\x00").unwrap_err(),
            Problem::NotAnImage
        );
        // Wider than allowed: refused by the limits, before a full decode.
        assert!(decode_image(&png(MAX_SIDE + 1, 1)).is_err());
        let mut truncated = png(20, 20);
        truncated.truncate(truncated.len() / 2);
        assert_eq!(decode_image(&truncated).unwrap_err(), Problem::NotAnImage);
    }
}
