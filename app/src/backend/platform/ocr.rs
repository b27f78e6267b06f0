//! Reading text off a photo with the local Tesseract engine (no cloud service).

use image::{DynamicImage, imageops::FilterType};
use std::{path::Path, time::Duration};
use tokio::process::Command;

const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("could not run tesseract: {0}")]
    Run(#[from] std::io::Error),
    #[error("tesseract failed: {0}")]
    Failed(String),
    #[error("tesseract took longer than {TIMEOUT:?}")]
    TimedOut,
}

/// The text Tesseract reads on `photo`. The photo is prepared (grey, at least
/// 1600 px wide so small print has enough pixels) and written to a private
/// temporary file in `work_dir`, which is deleted when this returns.
pub async fn read_text(
    program: &str,
    work_dir: &Path,
    photo: &DynamicImage,
) -> Result<String, OcrError> {
    let prepared = prepare(photo);
    std::fs::create_dir_all(work_dir)?;
    let file = tempfile::Builder::new()
        .suffix(".png")
        .tempfile_in(work_dir)?;
    prepared
        .save_with_format(file.path(), image::ImageFormat::Png)
        .map_err(|e| OcrError::Failed(e.to_string()))?;
    let run = Command::new(program)
        .arg(file.path())
        .arg("stdout")
        .args(["-l", "eng", "--psm", "6"])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(TIMEOUT, run)
        .await
        .map_err(|_| OcrError::TimedOut)??;
    if !output.status.success() {
        return Err(OcrError::Failed(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn prepare(photo: &DynamicImage) -> DynamicImage {
    let grey = DynamicImage::ImageLuma8(photo.to_luma8());
    if grey.width() >= 1600 {
        return grey;
    }
    let scale = 1600.0 / grey.width().max(1) as f32;
    let height = ((grey.height() as f32) * scale).round().max(1.0) as u32;
    grey.resize_exact(1600, height, FilterType::CatmullRom)
}
