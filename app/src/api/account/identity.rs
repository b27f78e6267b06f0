//! Identity verification: an ID-card photo and the number typed beside it.

use crate::{error::AppError, model::IdCheck};
use leptos::prelude::*;
use server_fn::codec::{MultipartData, MultipartFormData};

#[cfg(feature = "ssr")]
use crate::{backend::account::identity::IdError, error::respond};

#[cfg(feature = "ssr")]
impl From<IdError> for AppError {
    fn from(e: IdError) -> AppError {
        match e {
            IdError::Rejected(field, problem) => AppError::field(field, problem),
            IdError::Db(e) => e.into(),
            other => {
                tracing::error!(error = %other, "identity check");
                AppError::Internal
            }
        }
    }
}

/// Form fields: `number` (text) and `photo` (file).
#[server(input = MultipartFormData, endpoint = "identity/verify")]
pub async fn verify_identity(data: MultipartData) -> Result<IdCheck, AppError> {
    respond(
        async move {
            use crate::{
                backend::{account::identity, platform::upload, web::session},
                domain::{
                    account::id_number::IdNumber,
                    form::{Field, Problem},
                },
            };
            let caller = session::caller().await?;
            if caller.account.id_verified_at.is_some() {
                return Err(AppError::field(Field::IdNumber, Problem::Unchanged));
            }
            let form = upload::read_form(data, Field::IdPhoto).await?;
            let typed = form.text("number");
            let number = match typed.trim() {
                "" => return Err(AppError::field(Field::IdNumber, Problem::Required)),
                t => IdNumber::parse(t)
                    .ok_or(AppError::field(Field::IdNumber, Problem::NotAnIdNumber))?,
            };
            let photo = upload::image_field(&form, "photo", Field::IdPhoto).await?;
            let outcome =
                identity::verify(&caller.state, caller.account.id, &number, photo).await?;
            tracing::info!(user = caller.account.id, ?outcome, "identity check");
            Ok(match outcome {
                identity::Outcome::Verified => IdCheck::Verified,
                identity::Outcome::InReview => IdCheck::InReview,
            })
        }
        .await,
    )
}
