//! The client side of SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as steps of an
//! enhanced authentication exchange: `client_first` goes in CONNECT (or a re-authenticating
//! AUTH), `client_final` answers the server's first AUTH (continue), and `verify_server_final`
//! checks the data of the CONNACK (or of the AUTH success) that ends it.
//!
//! Pure computation, like the rest of the core: the client nonce comes from the caller
//! (`crypto.getRandomValues` in the browser), so the core stays without entropy. No channel
//! binding (`n,,`), and the password is used as given (SASLprep is the identity for ASCII).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// Which hash the mechanism uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScramHash {
    Sha256,
    Sha512,
}

impl ScramHash {
    /// The authentication method's name, as CONNECT carries it.
    pub fn method(self) -> &'static str {
        match self {
            ScramHash::Sha256 => "SCRAM-SHA-256",
            ScramHash::Sha512 => "SCRAM-SHA-512",
        }
    }

    /// The hash of a method name, if it is one of ours.
    pub fn from_method(method: &str) -> Option<Self> {
        [ScramHash::Sha256, ScramHash::Sha512]
            .into_iter()
            .find(|hash| hash.method() == method)
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
        match self {
            ScramHash::Sha256 => Hmac::<Sha256>::new_from_slice(key)
                .map(|mac| mac.chain_update(data).finalize().into_bytes().to_vec())
                .unwrap_or_default(),
            ScramHash::Sha512 => Hmac::<Sha512>::new_from_slice(key)
                .map(|mac| mac.chain_update(data).finalize().into_bytes().to_vec())
                .unwrap_or_default(),
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha256 => Sha256::digest(data).to_vec(),
            ScramHash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn salted_password(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        match self {
            ScramHash::Sha256 => {
                pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password, salt, iterations).to_vec()
            }
            ScramHash::Sha512 => {
                pbkdf2::pbkdf2_hmac_array::<Sha512, 64>(password, salt, iterations).to_vec()
            }
        }
    }
}

/// Why the server's messages cannot be answered or accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScramError {
    /// A server message is not the attribute list RFC 5802 describes (or not UTF-8, or not
    /// valid base64 where it must be).
    Malformed,
    /// The server's nonce does not start with ours.
    NonceMismatch,
    /// An iteration count of zero, or one above `MAX_ITERATIONS` (a hostile server could
    /// otherwise keep the tab busy for minutes).
    IterationCount(u32),
    /// The server's final message is an error (`e=...`), its words as data.
    Server(String),
    /// The server's signature is wrong: it does not know the password.
    ServerSignature,
    /// A step out of order (a final message before the first was answered).
    OutOfOrder,
}

impl fmt::Display for ScramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScramError::Malformed => f.write_str("the server's SCRAM message is malformed"),
            ScramError::NonceMismatch => f.write_str("the server's nonce does not extend ours"),
            ScramError::IterationCount(count) => {
                write!(f, "the server asks for {count} iterations")
            }
            ScramError::Server(words) => write!(f, "the server refused: {words}"),
            ScramError::ServerSignature => {
                f.write_str("the server's signature is wrong: it does not know the password")
            }
            ScramError::OutOfOrder => f.write_str("a SCRAM step arrived out of order"),
        }
    }
}

/// The most PBKDF2 iterations accepted from a server.
pub const MAX_ITERATIONS: u32 = 1_000_000;

/// One SCRAM exchange, from the client's first message to the server's signature.
#[derive(Clone, Debug)]
pub struct ScramClient {
    hash: ScramHash,
    password: Vec<u8>,
    nonce: String,
    client_first_bare: String,
    /// Set once the client's final message is made: the signature the server must send.
    server_signature: Option<Vec<u8>>,
}

impl ScramClient {
    /// `nonce` must be printable ASCII without a comma (base64 of random bytes is).
    pub fn new(hash: ScramHash, username: &str, password: &[u8], nonce: &str) -> Self {
        let mut name = String::with_capacity(username.len());
        for c in username.chars() {
            match c {
                '=' => name.push_str("=3D"),
                ',' => name.push_str("=2C"),
                c => name.push(c),
            }
        }
        ScramClient {
            hash,
            password: password.to_vec(),
            nonce: nonce.into(),
            client_first_bare: alloc::format!("n={name},r={nonce}"),
            server_signature: None,
        }
    }

    pub fn hash(&self) -> ScramHash {
        self.hash
    }

    /// The first message: no channel binding, then user name and nonce.
    pub fn client_first(&self) -> Vec<u8> {
        alloc::format!("n,,{}", self.client_first_bare).into_bytes()
    }

    /// The answer to the server's first message: the proof that we know the password.
    pub fn client_final(&mut self, server_first: &[u8]) -> Result<Vec<u8>, ScramError> {
        let server_first = core::str::from_utf8(server_first).map_err(|_| ScramError::Malformed)?;
        let mut nonce = None;
        let mut salt = None;
        let mut iterations = None;
        for attribute in server_first.split(',') {
            match attribute.split_once('=') {
                Some(("r", value)) => nonce = Some(value),
                Some(("s", value)) => {
                    salt = Some(BASE64.decode(value).map_err(|_| ScramError::Malformed)?)
                }
                Some(("i", value)) => {
                    iterations = Some(value.parse::<u32>().map_err(|_| ScramError::Malformed)?)
                }
                Some(("m", _)) | None => return Err(ScramError::Malformed),
                Some(_) => {}
            }
        }
        let (Some(nonce), Some(salt), Some(iterations)) = (nonce, salt, iterations) else {
            return Err(ScramError::Malformed);
        };
        if !nonce.starts_with(self.nonce.as_str()) || nonce.len() == self.nonce.len() {
            return Err(ScramError::NonceMismatch);
        }
        if iterations == 0 || iterations > MAX_ITERATIONS {
            return Err(ScramError::IterationCount(iterations));
        }
        let hash = self.hash;
        let salted = hash.salted_password(&self.password, &salt, iterations);
        let client_key = hash.hmac(&salted, b"Client Key");
        let stored_key = hash.hash(&client_key);
        // "biws" is base64 of "n,,", the GS2 header without channel binding.
        let without_proof = alloc::format!("c=biws,r={nonce}");
        let auth_message =
            alloc::format!("{},{server_first},{without_proof}", self.client_first_bare);
        let client_signature = hash.hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&client_signature)
            .map(|(key, signature)| key ^ signature)
            .collect();
        let server_key = hash.hmac(&salted, b"Server Key");
        self.server_signature = Some(hash.hmac(&server_key, auth_message.as_bytes()));
        Ok(alloc::format!("{without_proof},p={}", BASE64.encode(proof)).into_bytes())
    }

    /// Checks the server's final message (`v=` its signature, or `e=` an error).
    pub fn verify_server_final(&self, server_final: &[u8]) -> Result<(), ScramError> {
        let expected = self
            .server_signature
            .as_ref()
            .ok_or(ScramError::OutOfOrder)?;
        let server_final = core::str::from_utf8(server_final).map_err(|_| ScramError::Malformed)?;
        let first = server_final.split(',').next().unwrap_or_default();
        match first.split_once('=') {
            Some(("v", value)) => {
                let signature = BASE64.decode(value).map_err(|_| ScramError::Malformed)?;
                if signature == *expected {
                    Ok(())
                } else {
                    Err(ScramError::ServerSignature)
                }
            }
            Some(("e", words)) => Err(ScramError::Server(words.into())),
            _ => Err(ScramError::Malformed),
        }
    }
}
