//! What happened to a message after a provider accepted it: GOV.UK Notify's delivery receipts,
//! authenticated with the callback token configured for Notify.

use crate::secrets::digests_equal;
use crate::{App, Error};
use persistence::outbox;

/// A delivery receipt: our message id (the reference given to the provider) or the provider's
/// own id, and the status it reports.
#[derive(Debug, Clone, Default)]
pub struct Receipt {
    pub reference: Option<String>,
    pub provider_id: Option<String>,
    /// `delivered`, `permanent-failure`, `temporary-failure` or `technical-failure`.
    pub status: String,
}

/// Records a receipt. Refused unless `token` is the configured callback token; "not found" when
/// it names no message of ours.
pub async fn record(app: &App, token: Option<&str>, receipt: Receipt) -> Result<(), Error> {
    let expected = app.settings().messaging.notify_callback_token.as_ref();
    if !expected.is_some_and(|expected| digests_equal(expected.expose(), token.unwrap_or_default())) {
        return Err(Error::unauthorized("The callback token is not valid."));
    }
    let found = app
        .run(move |conn, app| {
            let delivered = receipt.status == "delivered";
            Ok(outbox::record_delivery(
                conn,
                receipt.reference.as_deref(),
                receipt.provider_id.as_deref(),
                &receipt.status,
                delivered,
                app.now(),
            )?)
        })
        .await?;
    if found { Ok(()) } else { Err(Error::not_found()) }
}
