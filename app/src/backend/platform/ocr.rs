//! Reading text off a photo with the local Tesseract engine (no cloud service).
//! What Tesseract is given is bounded: a grey image of at most
//! [`MAX_PIXELS`], prepared by [`prepare`] within the decode budget; one
//! Tesseract runs at a time, single-threaded, with a timeout and a memory
//! limit.

use crate::domain::{account::id_number::check_card_shape, form::Problem};
use image::{DynamicImage, GrayImage, imageops::FilterType};
use std::{io, path::Path, time::Duration};
use tokio::{process::Command, sync::Semaphore};

const TIMEOUT: Duration = Duration::from_secs(30);
/// How long a check waits for Tesseract before it is told to come back later.
const QUEUE_WAIT: Duration = Duration::from_secs(60);
/// Address space Tesseract may map: reading a prepared card takes about
/// 60 MB of memory, and runs within half this limit.
pub const MEMORY_LIMIT_BYTES: u64 = 1024 * 1024 * 1024;

/// Long side of the image Tesseract reads, larger or smaller photos scaled
/// to it: an ID card's small print is then 25–30 px tall, enough for OCR.
pub const LONG_SIDE: u32 = 2000;
/// Most pixels Tesseract is ever given: the long side by the short side of
/// the squarest photo accepted as a card.
pub const MAX_PIXELS: u64 = 2000 * 1667;

/// One Tesseract at a time: it is the heaviest thing the server runs.
static TESSERACT: Semaphore = Semaphore::const_new(1);

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("could not run tesseract: {0}")]
    Run(#[from] io::Error),
    #[error("tesseract failed: {0}")]
    Failed(String),
    #[error("tesseract took longer than {TIMEOUT:?}")]
    TimedOut,
    #[error("tesseract busy for longer than {QUEUE_WAIT:?}")]
    Busy,
}

/// The size `prepare` gives a `width`×`height` photo: scaled so its long side
/// is [`LONG_SIDE`]. Photos that cannot be an ID card are refused.
pub fn prepared_size(width: u32, height: u32) -> Result<(u32, u32), Problem> {
    check_card_shape(width, height)?;
    let scale = f64::from(LONG_SIDE) / f64::from(width.max(height));
    let fit = |n: u32| ((f64::from(n) * scale).round() as u32).clamp(1, LONG_SIDE);
    Ok((fit(width), fit(height)))
}

/// The grey image Tesseract reads for `photo`, at [`prepared_size`]. A
/// larger photo is averaged down (no float copy of the full photo); a
/// smaller one is enlarged, which costs little at that size.
pub fn prepare(photo: &DynamicImage) -> Result<GrayImage, Problem> {
    let (width, height) = prepared_size(photo.width(), photo.height())?;
    Ok(if photo.width().max(photo.height()) >= LONG_SIDE {
        photo.thumbnail_exact(width, height).into_luma8()
    } else {
        DynamicImage::ImageLuma8(photo.to_luma8())
            .resize_exact(width, height, FilterType::CatmullRom)
            .into_luma8()
    })
}

/// Deletes what a crashed or killed server left in the work dir; returns
/// how many files. The server calls it at start-up, before any check runs.
pub fn clean_work_dir(work_dir: &Path) -> io::Result<usize> {
    let entries = match std::fs::read_dir(work_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The text Tesseract reads on `png` (a prepared image), written to a
/// private temporary file in `work_dir` that is deleted when this returns.
pub async fn read_text(program: &str, work_dir: &Path, png: &[u8]) -> Result<String, OcrError> {
    let _turn = tokio::time::timeout(QUEUE_WAIT, TESSERACT.acquire())
        .await
        .map_err(|_| OcrError::Busy)?
        .map_err(|_| OcrError::Busy)?;
    tokio::fs::create_dir_all(work_dir).await?;
    let file = tempfile::Builder::new()
        .suffix(".png")
        .tempfile_in(work_dir)?;
    tokio::fs::write(file.path(), png).await?;
    let mut command = Command::new(program);
    command
        .arg(file.path())
        .arg("stdout")
        .args(["-l", "eng", "--psm", "6"])
        // OpenMP would start a thread per core for each image.
        .env("OMP_THREAD_LIMIT", "1")
        .kill_on_drop(true);
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls setrlimit, which is async-signal-safe.
    unsafe {
        command.pre_exec(limit_memory);
    }
    let output = tokio::time::timeout(TIMEOUT, command.output())
        .await
        .map_err(|_| OcrError::TimedOut)??;
    if !output.status.success() {
        return Err(OcrError::Failed(
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Caps the child's address space: a hostile image that slipped past the
/// bounds makes Tesseract fail, not the machine swap.
fn limit_memory() -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: MEMORY_LIMIT_BYTES as libc::rlim_t,
        rlim_max: MEMORY_LIMIT_BYTES as libc::rlim_t,
    };
    // SAFETY: a plain system call on a valid, initialised struct.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
