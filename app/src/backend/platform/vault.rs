//! Delivery secrets (a game account's login) sealed at rest with
//! XChaCha20-Poly1305. The key comes from `HAGGLE_VAULT_KEY`, or is derived
//! from the server's secret key; a copy of the database alone reveals nothing.

use super::secret::Secret;
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use std::fmt;

#[derive(Clone)]
pub struct Vault(XChaCha20Poly1305);

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault(…)")
    }
}

const NONCE_LEN: usize = 24;

impl Vault {
    pub fn new(key: [u8; 32]) -> Vault {
        Vault(XChaCha20Poly1305::new(&key.into()))
    }

    /// The configured key, or one derived from the server's secret.
    pub fn from_config(configured: Option<[u8; 32]>, secret: &Secret) -> Vault {
        Vault::new(configured.unwrap_or_else(|| secret.derive_key("delivery-secrets")))
    }

    /// Seals `text` for the listing of `seller`: the ciphertext cannot be
    /// moved to another seller's listing and still open.
    pub fn seal(&self, seller: i64, text: &str) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let sealed = self
            .0
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: text.as_bytes(),
                    aad: &seller.to_le_bytes(),
                },
            )
            .expect("encryption of an in-memory buffer cannot fail");
        [nonce.as_slice(), &sealed].concat()
    }

    /// The text, or `None` if the bytes were not sealed by this key for `seller`.
    pub fn open(&self, seller: i64, sealed: &[u8]) -> Option<String> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = self
            .0
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &seller.to_le_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_for_its_seller_and_key() {
        let vault = Vault::from_config(None, &Secret::for_tests());
        let sealed = vault.seal(7, "id: hunter / pw: 2 swordfish");
        assert!(!sealed.windows(9).any(|w| w == b"swordfish"));
        assert_eq!(
            vault.open(7, &sealed).as_deref(),
            Some("id: hunter / pw: 2 swordfish")
        );
        assert_eq!(vault.open(8, &sealed), None);
        assert_eq!(Vault::new([1; 32]).open(7, &sealed), None);
        assert_eq!(vault.open(7, &sealed[..10]), None);
        // A fresh nonce each time: the same text seals differently.
        assert_ne!(vault.seal(7, "x"), vault.seal(7, "x"));
    }
}
