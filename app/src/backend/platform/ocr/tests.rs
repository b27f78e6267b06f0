use super::*;
use image::RgbImage;
use std::os::unix::fs::PermissionsExt;

#[test]
fn the_prepared_image_stays_within_the_pixel_budget() {
    // The photo of the issue: a few hundred bytes, 1 × 8000 px.
    assert_eq!(prepared_size(1, 8000), Err(Problem::NotAnIdCard));
    assert_eq!(prepared_size(8000, 8000), Err(Problem::NotAnIdCard));
    assert_eq!(prepared_size(800, 500), Ok((2000, 1250)));
    assert_eq!(prepared_size(500, 800), Ok((1250, 2000)));
    assert_eq!(prepared_size(8000, 5000), Ok((2000, 1250)));
    for w in (300..=8000).step_by(97) {
        for h in (300..=8000).step_by(89) {
            if let Ok((pw, ph)) = prepared_size(w, h) {
                assert!(
                    u64::from(pw) * u64::from(ph) <= MAX_PIXELS,
                    "{w}×{h} → {pw}×{ph}"
                );
                assert_eq!(pw.max(ph), LONG_SIDE);
            }
        }
    }
}

#[test]
fn photos_are_prepared_grey_at_the_bounded_size() {
    let small = DynamicImage::ImageRgb8(RgbImage::new(480, 300));
    let prepared = prepare(&small).unwrap();
    assert_eq!(prepared.dimensions(), (2000, 1250));
    let large = DynamicImage::ImageRgb8(RgbImage::new(3000, 4000));
    assert_eq!(prepare(&large).unwrap().dimensions(), (1500, 2000));
    let strip = DynamicImage::ImageRgb8(RgbImage::new(1, 800));
    assert_eq!(prepare(&strip).unwrap_err(), Problem::NotAnIdCard);
}

#[test]
fn stray_work_files_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("tmp");
    assert_eq!(clean_work_dir(&work).unwrap(), 0, "a missing dir is clean");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join(".tmpA1b2.png"), b"left by a crash").unwrap();
    std::fs::write(work.join(".tmpC3d4.png"), b"left by a crash").unwrap();
    assert_eq!(clean_work_dir(&work).unwrap(), 2);
    assert_eq!(std::fs::read_dir(&work).unwrap().count(), 0);
}

/// A stand-in for Tesseract: a shell script with `body`, in `dir`.
fn fake_tesseract(dir: &Path, body: &str) -> String {
    let path = dir.join("fake-tesseract");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn tesseract_runs_single_threaded_within_a_memory_limit() {
    let dir = tempfile::tempdir().unwrap();
    let program = fake_tesseract(
        dir.path(),
        r#"echo "$(ulimit -v) ${OMP_THREAD_LIMIT:-unset}""#,
    );
    let text = read_text(&program, &dir.path().join("work"), b"png")
        .await
        .unwrap();
    assert_eq!(
        text.trim(),
        format!("{} 1", MEMORY_LIMIT_BYTES / 1024),
        "ulimit -v is in KiB"
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("work")).unwrap().count(),
        0,
        "the prepared image is deleted"
    );
}

#[tokio::test]
async fn one_tesseract_runs_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    // Each run notes its start, lingers, then notes its end: overlapping
    // runs would interleave.
    let program = fake_tesseract(
        dir.path(),
        &format!(
            "echo start >> {log}; sleep 0.3; echo end >> {log}",
            log = log.display()
        ),
    );
    let work = dir.path().join("work");
    let runs = (0..3).map(|_| read_text(&program, &work, b"png"));
    for result in futures::future::join_all(runs).await {
        result.unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "start\nend\n".repeat(3)
    );
}
