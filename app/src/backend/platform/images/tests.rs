use super::*;
use crate::backend::testing::*;
use crate::domain::catalog::ListingInput;
use image::{DynamicImage, ImageFormat, RgbImage, codecs::jpeg::JpegEncoder};
use std::io::Cursor;

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A `width`×`height` JPEG, its left half red and its right half blue.
fn two_tone_jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([230, 20, 20])
        } else {
            image::Rgb([20, 20, 230])
        }
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(&img)
        .unwrap();
    out
}

/// Inserts a marker segment right after the JPEG's SOI.
fn with_segment(jpeg: &[u8], marker: u8, body: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let len = u16::try_from(body.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Latitude 25° 2' 34.5678" as three little-endian rationals: recognisable
/// bytes to look for in what is stored.
fn gps_latitude() -> Vec<u8> {
    [(25u32, 1u32), (2, 1), (345_678, 10_000)]
        .iter()
        .flat_map(|(n, d)| [n.to_le_bytes(), d.to_le_bytes()].concat())
        .collect()
}

/// An APP1 "Exif" body: IFD0 with Orientation = `orientation` and a
/// GPSInfo pointer to a GPS IFD with latitude and longitude.
fn exif_app1(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    // Offsets are from the start of the TIFF header.
    let ifd0 = 8u32;
    let gps_ifd = ifd0 + 2 + 2 * 12 + 4;
    let latitude = gps_ifd + 2 + 4 * 12 + 4;
    let longitude = latitude + 24;

    let mut tiff = b"II\x2A\x00".to_vec();
    tiff.extend_from_slice(&ifd0.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut tiff, 0x0112, SHORT, 1, [o[0], o[1], 0, 0]);
    entry(&mut tiff, 0x8825, LONG, 1, gps_ifd.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len() as u32, gps_ifd);
    tiff.extend_from_slice(&4u16.to_le_bytes());
    entry(&mut tiff, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, RATIONAL, 3, latitude.to_le_bytes());
    entry(&mut tiff, 0x0003, ASCII, 2, *b"E\0\0\0");
    entry(&mut tiff, 0x0004, RATIONAL, 3, longitude.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(tiff.len() as u32, latitude);
    tiff.extend_from_slice(&gps_latitude());
    for (n, d) in [(121u32, 1u32), (33, 1), (123_456, 10_000)] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    [b"Exif\0\0".as_slice(), &tiff].concat()
}

/// The markers of a JPEG's header segments, up to the image data.
fn segments(jpeg: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut out = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        assert_eq!(jpeg[at], 0xFF);
        let marker = jpeg[at + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        out.push((marker, jpeg[at + 4..at + 2 + len].to_vec()));
        if marker == 0xDA {
            break;
        }
        at += 2 + len;
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Both stored files of an upload.
fn stored_files(media: &MediaStore, image: &ImageRef) -> [Vec<u8>; 2] {
    [&image.url, &image.thumb_url]
        .map(|url| std::fs::read(media.root().join(file_of(url))).unwrap())
}

fn files_in(media: &MediaStore) -> usize {
    std::fs::read_dir(media.root()).unwrap().count()
}

async fn rows(pool: &SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM images")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn exif_and_gps_are_dropped_and_the_photo_turned_upright() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let photo = with_segment(&two_tone_jpeg(40, 20), 0xE1, &exif_app1(6));
    // The test input really carries what must go.
    assert!(contains(&photo, b"Exif\0\0") && contains(&photo, &gps_latitude()));

    let stored = store_upload(&pool, &media, mei, photo, NOW).await.unwrap();
    assert_eq!(
        (stored.width, stored.height),
        (20, 40),
        "orientation 6 applied"
    );
    for file in stored_files(&media, &stored) {
        assert!(!contains(&file, b"Exif"));
        assert!(!contains(&file, &gps_latitude()));
        assert!(
            segments(&file).iter().all(|(marker, _)| *marker != 0xE1),
            "no APP1 segment at all"
        );
        let img = image::load_from_memory(&file).unwrap().to_rgb8();
        assert_eq!((img.width(), img.height()), (20, 40));
        // Turned clockwise: the left (red) half is now on top.
        let top = img.get_pixel(10, 5);
        let bottom = img.get_pixel(10, 35);
        assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
    }
    let (width, height, owner, listing): (i64, i64, i64, Option<i64>) =
        sqlx::query_as("SELECT width, height, owner_id, listing_id FROM images WHERE id = ?")
            .bind(stored.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((width, height, owner, listing), (20, 40, mei, None));

    // Without an orientation, the same photo keeps its shape.
    let plain = with_segment(&two_tone_jpeg(40, 20), 0xE1, &exif_app1(1));
    let stored = store_upload(&pool, &media, mei, plain, NOW).await.unwrap();
    assert_eq!((stored.width, stored.height), (40, 20));
}

#[tokio::test]
async fn decompression_bombs_and_oversized_files_are_refused() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;

    // A 1×1 PNG whose header claims 100000×100000, with a valid CRC.
    let mut bomb = png(1, 1);
    assert_eq!(&bomb[12..16], b"IHDR");
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());
    let started = std::time::Instant::now();
    let err = store_upload(&pool, &media, mei, bomb, NOW)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::field(Field::Images, Problem::NotAnImage));
    assert!(started.elapsed().as_secs() < 5, "refused before decoding");

    // The CRC helper is right: the untouched header checks out.
    let honest = png(3, 2);
    assert_eq!(
        crc32(&honest[12..29]).to_be_bytes(),
        [honest[29], honest[30], honest[31], honest[32]]
    );

    // One pixel wider than allowed, encoded for real.
    let wide = png(crate::backend::platform::upload::MAX_SIDE + 1, 1);
    let err = store_upload(&pool, &media, mei, wide, NOW)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::field(Field::Images, Problem::NotAnImage));

    // Over the byte limit, whatever the bytes.
    let mut huge = two_tone_jpeg(8, 8);
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let err = store_upload(&pool, &media, mei, huge, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::field(Field::Images, Problem::FileTooLarge { max_mb: 10 })
    );
    assert_eq!(rows(&pool).await, 0);
    assert_eq!(files_in(&media), 0);
}

#[tokio::test]
async fn polyglots_are_stored_without_their_payload() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let script = b"<script>fetch('/api/steal?c='+document.cookie)</script>".as_slice();
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00evil.html".as_slice();

    // Payload after the end of the image, and inside a comment segment.
    let trailing = [two_tone_jpeg(32, 32).as_slice(), script, zip].concat();
    let commented = with_segment(&two_tone_jpeg(32, 32), 0xFE, script);
    // A PNG with the payload in a text chunk and after IEND.
    let mut text_chunk = b"tEXt".to_vec();
    text_chunk.extend_from_slice(b"Comment\0");
    text_chunk.extend_from_slice(script);
    let mut png_polyglot = png(32, 32);
    let ihdr_end = 8 + 4 + 4 + 13 + 4;
    let mut chunk = u32::try_from(text_chunk.len() - 4)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    chunk.extend_from_slice(&text_chunk);
    chunk.extend_from_slice(&crc32(&text_chunk).to_be_bytes());
    png_polyglot.splice(ihdr_end..ihdr_end, chunk);
    png_polyglot.extend_from_slice(zip);

    for polyglot in [trailing, commented, png_polyglot] {
        assert!(contains(&polyglot, b"<script>"));
        let stored = store_upload(&pool, &media, mei, polyglot, NOW)
            .await
            .unwrap();
        assert_eq!((stored.width, stored.height), (32, 32));
        for file in stored_files(&media, &stored) {
            assert!(!contains(&file, b"<script"));
            assert!(!contains(&file, b"PK\x03\x04"));
            assert!(!contains(&file, b"evil.html"));
            assert!(segments(&file).iter().all(|(marker, _)| *marker != 0xFE));
            assert!(image::load_from_memory(&file).is_ok());
        }
    }
}

#[tokio::test]
async fn files_that_are_not_photos_are_refused() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let gif: &[u8] = &[
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xFF, 0xFF,
        0xFF, 0x00, 0x00, 0x00, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00,
        0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B,
    ];
    let mut truncated = two_tone_jpeg(64, 64);
    truncated.truncate(truncated.len() / 3);
    let refused: [(&str, Vec<u8>); 10] = [
        (
            "svg",
            br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>"#.to_vec(),
        ),
        ("empty", Vec::new()),
        ("text named .jpg", b"just some notes, saved as photo.jpg\n".to_vec()),
        ("html", b"<!doctype html><script>alert(1)</script>".to_vec()),
        ("gif", gif.to_vec()),
        ("bmp", [b"BM".as_slice(), &[0u8; 60]].concat()),
        ("zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec()),
        ("jpeg magic only", vec![0xFF, 0xD8, 0xFF, 0xE0]),
        ("truncated jpeg", truncated),
        ("png signature only", b"\x89PNG\r\n\x1a\n".to_vec()),
    ];
    for (what, bytes) in refused {
        let err = store_upload(&pool, &media, mei, bytes, NOW)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            AppError::field(Field::Images, Problem::NotAnImage),
            "{what}"
        );
    }
    assert_eq!(rows(&pool).await, 0);
    assert_eq!(files_in(&media), 0, "nothing written for refused files");

    // The accepted kinds, for contrast: JPEG, PNG and WebP.
    let mut webp = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::new(10, 6))
        .write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
        .unwrap();
    for bytes in [two_tone_jpeg(10, 6), png(10, 6), webp] {
        let stored = store_upload(&pool, &media, mei, bytes, NOW).await.unwrap();
        assert_eq!((stored.width, stored.height), (10, 6));
        assert!(stored.url.ends_with(".jpg") && stored.thumb_url.ends_with(".jpg"));
    }
}

#[tokio::test]
async fn large_photos_are_shrunk() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let stored = store_upload(&pool, &media, mei, png(3000, 1200), NOW)
        .await
        .unwrap();
    assert_eq!((stored.width, stored.height), (STORED_SIDE, 819));
    let [full, thumb] = stored_files(&media, &stored);
    let full = image::load_from_memory(&full).unwrap();
    assert_eq!((full.width(), full.height()), (STORED_SIDE, 819));
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!(thumb.width(), crate::backend::platform::media::THUMB_SIZE);
}

#[tokio::test]
async fn each_person_may_keep_a_limited_number_of_loose_uploads() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let mut mine = Vec::new();
    for _ in 0..MAX_LOOSE {
        mine.push(
            store_upload(&pool, &media, mei, png(8, 8), NOW)
                .await
                .unwrap(),
        );
    }
    let err = store_upload(&pool, &media, mei, png(8, 8), NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::field(
            Field::Images,
            Problem::TooMany {
                max: MAX_LOOSE as u32
            }
        )
    );
    assert_eq!(rows(&pool).await, MAX_LOOSE);
    assert_eq!(
        files_in(&media),
        2 * MAX_LOOSE as usize,
        "the refused files were removed"
    );

    // The cap is per person.
    store_upload(&pool, &media, kim, png(8, 8), NOW)
        .await
        .unwrap();
    // A listing adopting uploads frees their places.
    let form = ListingInput {
        images: vec![mine[0].id, mine[1].id],
        ..input("Kindle Paperwhite")
    };
    submitted(&pool, mei, &form, NOW).await;
    store_upload(&pool, &media, mei, png(8, 8), NOW)
        .await
        .unwrap();
    store_upload(&pool, &media, mei, png(8, 8), NOW)
        .await
        .unwrap();
    assert!(
        store_upload(&pool, &media, mei, png(8, 8), NOW)
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_uploads_do_not_pass_the_cap() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    for i in 0..MAX_LOOSE - 2 {
        sqlx::query(
            "INSERT INTO images (owner_id, file_name, thumb_name, width, height, created_at)
             VALUES (?, ?, ?, 1, 1, ?)",
        )
        .bind(mei)
        .bind(format!("f{i}"))
        .bind(format!("t{i}"))
        .bind(NOW)
        .execute(&pool)
        .await
        .unwrap();
    }
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (pool, media) = (pool.clone(), media.clone());
            tokio::spawn(async move { store_upload(&pool, &media, mei, png(8, 8), NOW).await })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => stored += 1,
            Err(e) => assert_eq!(
                e.problem_with(Field::Images),
                Some(Problem::TooMany { max: 30 })
            ),
        }
    }
    assert_eq!(stored, 2);
    assert_eq!(rows(&pool).await, MAX_LOOSE);
    assert_eq!(files_in(&media), 4, "only the two kept uploads are on disk");
}

#[tokio::test]
async fn abandoned_loose_uploads_are_swept() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let kim = user(&pool, "kim").await;
    let old = upload(&pool, &media, mei, NOW).await;
    let adopted = upload(&pool, &media, mei, NOW).await;
    let form = ListingInput {
        images: vec![adopted.id],
        ..input("Kindle Paperwhite")
    };
    submitted(&pool, mei, &form, NOW).await;
    let kims = upload(&pool, &media, kim, NOW).await;
    let on_disk = |image: &ImageRef| {
        media.root().join(file_of(&image.url)).exists()
            && media.root().join(file_of(&image.thumb_url)).exists()
    };
    let exists = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM images WHERE id = ?)")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };

    // Exactly a day old is not yet abandoned.
    let fresh = upload(&pool, &media, mei, NOW + DAY).await;
    assert!(exists(old.id).await && on_disk(&old));

    // A moment later it is: row and files go, on mei's next upload.
    upload(&pool, &media, mei, NOW + DAY + 1).await;
    assert!(!exists(old.id).await);
    assert!(!media.root().join(file_of(&old.url)).exists());
    assert!(!media.root().join(file_of(&old.thumb_url)).exists());
    // What a listing uses, newer uploads and other people's are kept.
    assert!(exists(adopted.id).await && on_disk(&adopted));
    assert!(exists(fresh.id).await && on_disk(&fresh));
    assert!(exists(kims.id).await && on_disk(&kims));

    // Swept uploads no longer count against the cap.
    for i in 0..MAX_LOOSE - 2 {
        upload(&pool, &media, mei, NOW + DAY + 2 + i).await;
    }
    assert!(
        store_upload(&pool, &media, mei, png(8, 8), NOW + DAY + 100)
            .await
            .is_err()
    );
    let later = NOW + 3 * DAY;
    upload(&pool, &media, mei, later).await;
    let loose: i64 =
        sqlx::query_scalar("SELECT count(*) FROM images WHERE owner_id = ? AND listing_id IS NULL")
            .bind(mei)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(loose, 1, "everything older than a day was swept first");
}

#[test]
fn real_images_decode_whatever_they_are_called() {
    let img = decode_now(&png(40, 30)).unwrap();
    assert_eq!((img.width(), img.height()), (40, 30));
}

#[test]
fn non_images_and_oversized_ones_are_refused() {
    assert_eq!(decode_now(b"").unwrap_err(), Problem::NotAnImage);
    assert_eq!(
        decode_now(b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap_err(),
        Problem::NotAnImage
    );
    assert_eq!(
        decode_now(b"GIF89a\x01\x00\x01\x00").unwrap_err(),
        Problem::NotAnImage
    );
    // Wider than allowed: refused by the limits, before a full decode.
    assert!(decode_now(&png(MAX_SIDE + 1, 1)).is_err());
    let mut truncated = png(20, 20);
    truncated.truncate(truncated.len() / 2);
    assert_eq!(decode_now(&truncated).unwrap_err(), Problem::NotAnImage);
}

#[test]
fn each_decode_reserves_what_its_photo_costs() {
    assert_eq!(cost_mib(1, 1, 3), 1);
    // 12 MP RGB: 36 MB of pixels and a working copy.
    assert_eq!(cost_mib(4000, 3000, 3), 81);
    // Larger than the whole budget: runs alone.
    assert_eq!(cost_mib(8000, 8000, 4), DECODE_BUDGET_MIB);
}

/// Holds the whole decode budget, as decodes of huge photos would.
async fn exhaust_budget() -> tokio::sync::OwnedSemaphorePermit {
    DECODERS
        .clone()
        .acquire_many_owned(DECODE_BUDGET_MIB)
        .await
        .unwrap()
}

/// Whether `task` is still waiting after the runtime had every chance to
/// run it (several scheduler turns and a moment for the blocking pool).
async fn still_waiting<T>(task: &tokio::task::JoinHandle<T>) -> bool {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    !task.is_finished()
}

#[tokio::test]
async fn listing_photos_avatars_and_id_cards_all_wait_for_the_decode_budget() {
    let (pool, dir) = temp_db().await;
    let media = media(&dir);
    let mei = user(&pool, "mei").await;
    let held = exhaust_budget().await;
    let listing = {
        let (pool, media) = (pool.clone(), media.clone());
        tokio::spawn(async move { store_upload(&pool, &media, mei, png(40, 30), NOW).await })
    };
    let avatar = {
        let media = media.clone();
        tokio::spawn(
            async move { crate::backend::account::store_avatar(&media, png(600, 400)).await },
        )
    };
    let card = tokio::spawn(crate::backend::account::identity::prepare_card(png(
        856, 540,
    )));
    assert!(still_waiting(&listing).await);
    assert!(still_waiting(&avatar).await);
    assert!(still_waiting(&card).await);
    drop(held);
    listing.await.unwrap().unwrap();
    let name = avatar.await.unwrap().unwrap();
    let stored = image::open(media.root().join(name)).unwrap();
    assert_eq!((stored.width(), stored.height()), (256, 256));
    assert!(card.await.unwrap().is_ok());
}

#[tokio::test]
async fn large_avatars_are_cropped_square() {
    let dir = tempfile::tempdir().unwrap();
    let media = media(&dir);
    for (width, height) in [(3000, 1000), (1, 8000), (8000, 1), (40, 30)] {
        let name = crate::backend::account::store_avatar(&media, png(width, height))
            .await
            .unwrap();
        let stored = image::open(media.root().join(name)).unwrap();
        assert_eq!(
            (stored.width(), stored.height()),
            (256, 256),
            "{width}×{height}"
        );
    }
    let err = crate::backend::account::store_avatar(&media, b"not a photo".to_vec())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::field(Field::Avatar, Problem::NotAnImage));
}
