//! Image files under `data/media/`, always under names the server generates.

use image::{RgbImage, codecs::jpeg::JpegEncoder, imageops::FilterType};
use std::{
    fs, io,
    path::{Path, PathBuf},
};

/// Longest side of a thumbnail, in pixels.
pub const THUMB_SIZE: u32 = 480;

#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub file_name: String,
    pub thumb_name: String,
    pub width: u32,
    pub height: u32,
}

impl MediaStore {
    pub fn open(root: impl Into<PathBuf>) -> io::Result<MediaStore> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(MediaStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Stores `img` as a JPEG plus a thumbnail; both names are fresh random ids.
    pub fn store_with_thumbnail(&self, img: &RgbImage) -> io::Result<StoredImage> {
        let file_name = self.write_jpeg(img, 85)?;
        let thumb = image::imageops::resize(
            img,
            THUMB_SIZE.min(img.width()),
            (u64::from(img.height()) * u64::from(THUMB_SIZE.min(img.width()))
                / u64::from(img.width().max(1))) as u32,
            FilterType::Triangle,
        );
        let thumb_name = self.write_jpeg(&thumb, 78)?;
        Ok(StoredImage {
            file_name,
            thumb_name,
            width: img.width(),
            height: img.height(),
        })
    }

    /// Deletes a stored file; a name that is not one of ours is ignored.
    pub fn remove(&self, name: &str) {
        let ours = name.len() == 36
            && name.ends_with(".jpg")
            && name[..32].chars().all(|c| c.is_ascii_hexdigit());
        if ours && let Err(e) = fs::remove_file(self.root.join(name)) {
            tracing::warn!(error = %e, name, "could not delete a media file");
        }
    }

    /// Writes to a temporary name first so a reader never sees half a file.
    pub fn write_jpeg(&self, img: &RgbImage, quality: u8) -> io::Result<String> {
        let name = format!("{}.jpg", uuid::Uuid::new_v4().simple());
        let tmp = self.root.join(format!(".{name}.tmp"));
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, quality)
            .encode_image(img)
            .map_err(io::Error::other)?;
        fs::write(&tmp, &bytes)?;
        fs::rename(&tmp, self.root.join(&name))?;
        Ok(name)
    }
}

/// The public URL of a stored media file.
pub fn url(name: &str) -> String {
    format!("/media/{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_a_decodable_image_and_a_smaller_thumbnail() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::open(dir.path().join("media")).unwrap();
        let img = RgbImage::from_fn(960, 720, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let stored = store.store_with_thumbnail(&img).unwrap();
        assert_eq!((stored.width, stored.height), (960, 720));
        assert_ne!(stored.file_name, stored.thumb_name);
        assert!(stored.file_name.ends_with(".jpg") && stored.file_name.len() == 36);

        let full = image::open(store.root().join(&stored.file_name)).unwrap();
        assert_eq!((full.width(), full.height()), (960, 720));
        let thumb = image::open(store.root().join(&stored.thumb_name)).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (480, 360));
        // No temporary files are left behind.
        let leftovers = fs::read_dir(store.root()).unwrap().filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        });
        assert_eq!(leftovers.count(), 0);
        assert_eq!(
            url(&stored.file_name),
            format!("/media/{}", stored.file_name)
        );
    }

    #[test]
    fn small_images_are_not_upscaled() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::open(dir.path()).unwrap();
        let stored = store
            .store_with_thumbnail(&RgbImage::new(200, 100))
            .unwrap();
        let thumb = image::open(store.root().join(&stored.thumb_name)).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (200, 100));
    }
}
