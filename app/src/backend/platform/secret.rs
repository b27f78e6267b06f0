//! The server's secret key: it keys the hashes of one-time codes and ID numbers,
//! so a copy of the database alone cannot be brute-forced back to them.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::{fmt, io, path::Path};

#[derive(Clone)]
pub struct Secret([u8; 32]);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// Reads `secret.key` from the data dir, creating it (owner-only) on first run.
    pub fn load_or_create(data_dir: &Path) -> io::Result<Secret> {
        let path = data_dir.join("secret.key");
        match std::fs::read(&path) {
            Ok(bytes) => bytes.try_into().map(Secret).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} must hold exactly 32 bytes", path.display()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let key: [u8; 32] = rand::random();
                write_private(&path, &key)?;
                Ok(Secret(key))
            }
            Err(e) => Err(e),
        }
    }

    /// A keyed hash of `value`, hex-encoded. `purpose` separates uses, so an email
    /// code's hash can never stand in for an ID number's.
    pub fn hash(&self, purpose: &str, value: &str) -> String {
        hex::encode(self.mac(purpose, value).finalize().into_bytes())
    }

    /// Compares `value` against a stored [`Secret::hash`] in constant time.
    pub fn verify(&self, purpose: &str, value: &str, stored_hex: &str) -> bool {
        hex::decode(stored_hex)
            .is_ok_and(|expected| self.mac(purpose, value).verify_slice(&expected).is_ok())
    }

    /// A 32-byte key for `purpose`, derived from the secret (HMAC as a KDF).
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        self.mac("derived-key", purpose)
            .finalize()
            .into_bytes()
            .into()
    }

    fn mac(&self, purpose: &str, value: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac
    }

    #[cfg(test)]
    pub fn for_tests() -> Secret {
        Secret([7; 32])
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Secret::load_or_create(dir.path()).unwrap();
        let again = Secret::load_or_create(dir.path()).unwrap();
        assert_eq!(first.hash("p", "v"), again.hash("p", "v"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join("secret.key"), b"short").unwrap();
        assert!(Secret::load_or_create(dir.path()).is_err());
    }

    #[test]
    fn hashes_depend_on_key_purpose_and_value() {
        let a = Secret::for_tests();
        let b = Secret([8; 32]);
        let h = a.hash("email-code", "123456");
        assert_eq!(h.len(), 64);
        assert!(a.verify("email-code", "123456", &h));
        assert!(!a.verify("email-code", "123457", &h));
        assert!(!a.verify("id-number", "123456", &h));
        assert!(!b.verify("email-code", "123456", &h));
        assert!(!a.verify("email-code", "123456", "not hex"));
    }
}
