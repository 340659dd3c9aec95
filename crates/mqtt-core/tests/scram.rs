//! SCRAM's client side against RFC 7677's SCRAM-SHA-256 example ("user", "pencil"), and
//! SCRAM-SHA-512 against a server computed here from RFC 5802's definitions.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use mqtt_core::scram::{ScramClient, ScramError, ScramHash};
use sha2::{Digest, Sha512};

const SERVER_FIRST: &[u8] =
    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

fn rfc_client(password: &[u8]) -> ScramClient {
    ScramClient::new(ScramHash::Sha256, "user", password, "rOprNGfwEbeRWgbNEkqO")
}

#[test]
fn rfc_7677_sha_256_example() {
    let mut client = rfc_client(b"pencil");
    assert_eq!(client.client_first(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    let client_final = client
        .client_final(SERVER_FIRST)
        .expect("a valid first message");
    assert_eq!(
        std::str::from_utf8(&client_final).unwrap(),
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
         p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    );
    client
        .verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        .expect("the RFC's server signature");
    assert_eq!(
        client.verify_server_final(b"v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
        Err(ScramError::ServerSignature)
    );
    assert_eq!(
        client.verify_server_final(b"e=invalid-proof"),
        Err(ScramError::Server("invalid-proof".into()))
    );
}

#[test]
fn a_wrong_password_gives_another_proof_and_rejects_the_rfc_signature() {
    let mut client = rfc_client(b"pencil2");
    let client_final = client.client_final(SERVER_FIRST).expect("valid");
    assert!(!client_final.ends_with(b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
    assert_eq!(
        client.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
        Err(ScramError::ServerSignature)
    );
}

#[test]
fn hostile_or_malformed_server_messages_are_errors() {
    let client = rfc_client(b"pencil");
    assert_eq!(
        client.verify_server_final(b"v=x"),
        Err(ScramError::OutOfOrder)
    );
    for (message, error) in [
        (
            &b"r=someone-else,s=QSXCR+Q6sek8bf92,i=4096"[..],
            ScramError::NonceMismatch,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqO,s=QSXCR+Q6sek8bf92,i=4096",
            ScramError::NonceMismatch,
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=QSXCR+Q6sek8bf92,i=0",
            ScramError::IterationCount(0),
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=QSXCR+Q6sek8bf92,i=4000000000",
            ScramError::IterationCount(4_000_000_000),
        ),
        (
            b"r=rOprNGfwEbeRWgbNEkqOx,s=***,i=4096",
            ScramError::Malformed,
        ),
        (b"r=rOprNGfwEbeRWgbNEkqOx,i=4096", ScramError::Malformed),
        (
            b"m=ext,r=rOprNGfwEbeRWgbNEkqOx,s=QSXCR+Q6sek8bf92,i=1",
            ScramError::Malformed,
        ),
        (b"\xFF\xFE", ScramError::Malformed),
        (b"", ScramError::Malformed),
    ] {
        assert_eq!(
            rfc_client(b"pencil").client_final(message),
            Err(error),
            "{message:?}"
        );
    }
}

#[test]
fn user_names_are_escaped() {
    let client = ScramClient::new(ScramHash::Sha512, "a=b,c", b"p", "n0nce");
    assert_eq!(client.client_first(), b"n,,n=a=3Db=2Cc,r=n0nce");
    assert_eq!(
        ScramHash::from_method("SCRAM-SHA-512"),
        Some(ScramHash::Sha512)
    );
    assert_eq!(ScramHash::from_method("SCRAM-SHA-1"), None);
}

type HmacSha512 = Hmac<Sha512>;

fn hmac512(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha512::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

#[test]
fn sha_512_exchange_against_a_server_computed_from_rfc_5802() {
    let salt = b"0123456789abcdef";
    let iterations = 4096;
    let mut client = ScramClient::new(ScramHash::Sha512, "user", b"pencil", "clientnonce");
    let server_first = format!(
        "r=clientnonceSERVER,s={},i={iterations}",
        BASE64.encode(salt)
    );
    let client_final = client.client_final(server_first.as_bytes()).unwrap();
    let client_final = String::from_utf8(client_final).unwrap();
    let (without_proof, proof) = client_final.rsplit_once(",p=").unwrap();
    assert_eq!(without_proof, "c=biws,r=clientnonceSERVER");
    // The server's side: the stored key from the proof must match.
    let salted = pbkdf2::pbkdf2_hmac_array::<Sha512, 64>(b"pencil", salt, iterations);
    let auth_message = format!("n=user,r=clientnonce,{server_first},{without_proof}");
    let stored_key = Sha512::digest(hmac512(&salted, b"Client Key"));
    let signature = hmac512(&stored_key, auth_message.as_bytes());
    let client_key: Vec<u8> = BASE64
        .decode(proof)
        .unwrap()
        .iter()
        .zip(&signature)
        .map(|(a, b)| a ^ b)
        .collect();
    assert_eq!(Sha512::digest(&client_key), stored_key);
    let server_signature = hmac512(&hmac512(&salted, b"Server Key"), auth_message.as_bytes());
    let server_final = format!("v={}", BASE64.encode(server_signature));
    client.verify_server_final(server_final.as_bytes()).unwrap();
}
