//! Identity verification: an ID-card photo and the number typed beside it.

use crate::api::codec::JsonText;
use crate::{error::AppError, model::IdCheck};
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
use crate::{
    backend::{account::identity, web::session},
    error::respond,
};

/// Form fields: `number` (text) and `photo` (file).
#[server(output = JsonText, input = MultipartFormData, endpoint = "identity/verify")]
pub async fn verify_identity(data: MultipartData) -> Result<IdCheck, AppError> {
    respond(
        async move {
            let caller = session::caller().await?;
            identity::verify_form(&caller.state, &caller.account, data).await
        }
        .await,
    )
}
