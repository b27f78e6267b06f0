//! File uploads with progress. `fetch` reports no upload progress, so this
//! uses XMLHttpRequest and its `upload.onprogress`.

use crate::error::AppError;
use futures::channel::oneshot;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

/// Posts `file` as form field `field` to a multipart server function at
/// `url`, calling `progress` with the fraction sent (0.0–1.0).
pub async fn send_file<T: DeserializeOwned>(
    url: &str,
    field: &str,
    file: &File,
    progress: impl Fn(f64) + 'static,
) -> Result<T, AppError> {
    let failed = |what: &str| AppError::Transport(what.to_string());
    let form = FormData::new().map_err(|_| failed("form"))?;
    form.append_with_blob_and_filename(field, file, &file.name())
        .map_err(|_| failed("form"))?;
    let xhr = XmlHttpRequest::new().map_err(|_| failed("xhr"))?;
    xhr.open("POST", url).map_err(|_| failed("open"))?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(|_| failed("header"))?;

    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() && ev.total() > 0.0 {
            progress(ev.loaded() / ev.total());
        }
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let (done_tx, done_rx) = oneshot::channel::<()>();
    let done_tx = std::cell::RefCell::new(Some(done_tx));
    // Fires after load, error and abort alike.
    let on_end = Closure::<dyn Fn()>::new(move || {
        if let Some(tx) = done_tx.borrow_mut().take() {
            let _ = tx.send(());
        }
    });
    xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&form))
        .map_err(|_| failed("send"))?;
    let _ = done_rx.await;
    drop((on_progress, on_end));

    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    if status == 0 {
        return Err(failed("network"));
    }
    if (200..300).contains(&status) {
        serde_json::from_str(&body).map_err(|e| failed(&e.to_string()))
    } else {
        Err(serde_json::from_str::<AppError>(&body).unwrap_or_else(|_| failed(&body)))
    }
}
