//! A scripted MQTT 5 peer over WebSocket that implements the server side of SCRAM-SHA-256
//! and SCRAM-SHA-512 (RFC 5802, RFC 7677) in the AUTH exchange, written from the RFC here,
//! apart from the client in `mqtt_core::scram`, so that each checks the other. One user,
//! `user` / `pencil`; its salt is RFC 7677's. It checks the client's proof, answers with the
//! server signature (in CONNACK, or AUTH success after a re-authentication), refuses a wrong
//! password with CONNACK 0x86 (DISCONNECT 0x87 during a re-authentication), and an unknown
//! method with CONNACK 0x8C. The user `forger` gets a wrong server signature. A second
//! method, `TEST-CHALLENGE`, is one a person can type by hand: first data `hello`, then the
//! password as the answer to the server's challenge (a wrong one: CONNACK 0x87, or DISCONNECT
//! 0x87 during a re-authentication). PINGREQ is answered; everything else is ignored.

use std::io::{self, ErrorKind};
use std::net::{TcpListener, TcpStream};
use std::thread;

use hmac::{Hmac, Mac};
use mqtt_core::codec::{encode, Decoder, MAX_PACKET_SIZE};
use mqtt_core::*;
use sha2::{Digest, Sha256, Sha512};
use tungstenite::handshake::server::{Request, Response};
use tungstenite::http::HeaderValue;
use tungstenite::{Message, WebSocket};

pub const USER: &str = "user";
pub const PASSWORD: &str = "pencil";
/// A second user with the same password, for whom the server sends a wrong signature, as a
/// server that does not know the password would: the client must refuse it.
pub const FORGER: &str = "forger";
/// A method a person can drive by hand, one step at a time.
pub const CHALLENGE_METHOD: &str = "TEST-CHALLENGE";
pub const CHALLENGE_HELLO: &[u8] = b"hello";
pub const CHALLENGE: &[u8] = b"what is the password?";
pub const CHALLENGE_WELCOME: &[u8] = b"welcome";
/// RFC 7677's salt, base64 `W22ZaJ0SNY7soEsUEjb6gQ==`.
const SALT: [u8; 16] = [
    0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e, 0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81,
];
const ITERATIONS: u32 = 4096;

pub fn serve(listener: TcpListener) -> io::Result<()> {
    for (number, stream) in listener.incoming().enumerate() {
        let stream = stream?;
        thread::spawn(move || {
            if let Err(error) = serve_connection(stream, number) {
                eprintln!("scram-broker: connection {number}: {error}");
            }
        });
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Hash {
    Sha256,
    Sha512,
}

impl Hash {
    fn from_method(method: &str) -> Option<Hash> {
        match method {
            "SCRAM-SHA-256" => Some(Hash::Sha256),
            "SCRAM-SHA-512" => Some(Hash::Sha512),
            _ => None,
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            Hash::Sha512 => {
                let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("any key length");
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn salted(self, password: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => {
                pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password, &SALT, ITERATIONS).to_vec()
            }
            Hash::Sha512 => {
                pbkdf2::pbkdf2_hmac_array::<Sha512, 64>(password, &SALT, ITERATIONS).to_vec()
            }
        }
    }
}

/// What the server keeps between its first message and the client's proof.
struct Exchange {
    client_first_bare: String,
    server_first: String,
    nonce: String,
}

struct Peer {
    socket: WebSocket<TcpStream>,
    decoder: Decoder,
    method: String,
    hash: Hash,
    /// The exchange is `FORGER`'s: the server signature sent is wrong.
    forging: bool,
}

// The handshake callback's error type is tungstenite's, large or not.
#[allow(clippy::result_large_err)]
fn serve_connection(stream: TcpStream, number: usize) -> io::Result<()> {
    let socket = tungstenite::accept_hdr(stream, |_: &Request, mut response: Response| {
        response
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("mqtt"));
        Ok(response)
    })
    .map_err(|e| io::Error::other(e.to_string()))?;
    let mut peer = Peer {
        socket,
        decoder: Decoder::new(ProtocolVersion::V5, MAX_PACKET_SIZE),
        method: String::new(),
        hash: Hash::Sha256,
        forging: false,
    };
    let Packet::Connect(connect) = peer.next()? else {
        return Err(invalid("the first packet is not CONNECT"));
    };
    let method = connect.properties.authentication_method.unwrap_or_default();
    if method == CHALLENGE_METHOD {
        peer.method = method;
    } else if let Some(hash) = Hash::from_method(&method) {
        peer.method = method;
        peer.hash = hash;
    } else {
        return peer.send(&connack(ReasonCode::BAD_AUTHENTICATION_METHOD, None, None));
    }
    let first = connect.properties.authentication_data.unwrap_or_default();
    let Some(last) = peer.exchange(&first, number)? else {
        let refusal = match peer.method == CHALLENGE_METHOD {
            true => ReasonCode::NOT_AUTHORIZED,
            false => ReasonCode::BAD_USER_NAME_OR_PASSWORD,
        };
        return peer.send(&connack(refusal, None, None));
    };
    let method = Some(peer.method.clone());
    peer.send(&connack(ReasonCode::SUCCESS, method, Some(last)))?;
    let mut round = 0;
    loop {
        match peer.next()? {
            Packet::PingReq => peer.send(&Packet::PingResp)?,
            Packet::Disconnect(_) => return Ok(()),
            Packet::Auth(auth) if auth.reason == ReasonCode::RE_AUTHENTICATE => {
                round += 1;
                let first = auth.properties.data.unwrap_or_default();
                let last = match auth.properties.method.as_deref() == Some(peer.method.as_str()) {
                    true => peer.exchange(&first, number * 1000 + round)?,
                    false => None,
                };
                let Some(last) = last else {
                    return peer.send(&Packet::Disconnect(Disconnect {
                        reason: ReasonCode::NOT_AUTHORIZED,
                        properties: DisconnectProperties::default(),
                    }));
                };
                peer.send(&auth_packet(ReasonCode::SUCCESS, &peer.method, last))?;
            }
            _ => {}
        }
    }
}

impl Peer {
    /// One whole exchange from the client's first data: the server's last data if the client
    /// proved itself, `None` if not.
    fn exchange(&mut self, first: &[u8], number: usize) -> io::Result<Option<Vec<u8>>> {
        if self.method == CHALLENGE_METHOD {
            return self.challenge(first);
        }
        match self.start(first, number) {
            Some(exchange) => self.finish(&exchange),
            None => Ok(None),
        }
    }

    /// `TEST-CHALLENGE`: the first data must be `hello`; the server asks (reason string
    /// `challenge`, data `CHALLENGE`) and the answer must be the password.
    fn challenge(&mut self, first: &[u8]) -> io::Result<Option<Vec<u8>>> {
        if first != CHALLENGE_HELLO {
            return Ok(None);
        }
        self.send(&Packet::Auth(Auth {
            reason: ReasonCode::CONTINUE_AUTHENTICATION,
            properties: AuthProperties {
                method: Some(CHALLENGE_METHOD.to_string()),
                data: Some(Bytes::from_static(CHALLENGE)),
                reason_string: Some("challenge".into()),
                ..AuthProperties::default()
            },
        }))?;
        let Packet::Auth(auth) = self.next()? else {
            return Err(invalid("expected the client's AUTH"));
        };
        let right = auth.reason == ReasonCode::CONTINUE_AUTHENTICATION
            && auth.properties.method.as_deref() == Some(CHALLENGE_METHOD)
            && auth.properties.data.as_deref() == Some(PASSWORD.as_bytes());
        Ok(right.then(|| CHALLENGE_WELCOME.to_vec()))
    }

    fn next(&mut self) -> io::Result<Packet> {
        loop {
            if let Some(packet) = self
                .decoder
                .next_packet()
                .map_err(|e| io::Error::other(e.to_string()))?
            {
                return Ok(packet);
            }
            match self
                .socket
                .read()
                .map_err(|e| io::Error::other(e.to_string()))?
            {
                Message::Binary(bytes) => self
                    .decoder
                    .feed(&bytes)
                    .map_err(|e| io::Error::other(e.to_string()))?,
                Message::Close(_) => {
                    return Err(io::Error::new(ErrorKind::ConnectionAborted, "closed"))
                }
                _ => {}
            }
        }
    }

    fn send(&mut self, packet: &Packet) -> io::Result<()> {
        let bytes = encode(packet, ProtocolVersion::V5, None)
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.socket
            .send(Message::Binary(bytes))
            .map_err(io::Error::other)
    }

    /// Reads the client's first message and sends the server's; `None` for an unknown user
    /// or a malformed message.
    fn start(&mut self, client_first: &[u8], number: usize) -> Option<Exchange> {
        let client_first = std::str::from_utf8(client_first).ok()?;
        let bare = client_first.strip_prefix("n,,")?;
        let mut user = None;
        let mut client_nonce = None;
        for attribute in bare.split(',') {
            match attribute.split_once('=')? {
                ("n", value) => user = Some(value),
                ("r", value) => client_nonce = Some(value),
                _ => {}
            }
        }
        let user = user?;
        if user != USER && user != FORGER {
            return None;
        }
        self.forging = user == FORGER;
        let nonce = format!("{}%server{number}", client_nonce?);
        let server_first = format!("r={nonce},s={},i={ITERATIONS}", base64(&SALT));
        let exchange = Exchange {
            client_first_bare: bare.to_string(),
            server_first: server_first.clone(),
            nonce,
        };
        let method = self.method.clone();
        self.send(&auth_packet(
            ReasonCode::CONTINUE_AUTHENTICATION,
            &method,
            server_first.into_bytes(),
        ))
        .ok()?;
        Some(exchange)
    }

    /// Waits for the client's final message and checks its proof; the server's final
    /// message if the proof is right.
    fn finish(&mut self, exchange: &Exchange) -> io::Result<Option<Vec<u8>>> {
        let Packet::Auth(auth) = self.next()? else {
            return Err(invalid("expected the client's AUTH"));
        };
        if auth.reason != ReasonCode::CONTINUE_AUTHENTICATION
            || auth.properties.method.as_deref() != Some(self.method.as_str())
        {
            return Ok(None);
        }
        let data = auth.properties.data.unwrap_or_default();
        let Ok(client_final) = std::str::from_utf8(&data) else {
            return Ok(None);
        };
        let Some((without_proof, proof)) = client_final.rsplit_once(",p=") else {
            return Ok(None);
        };
        if without_proof != format!("c=biws,r={}", exchange.nonce) {
            return Ok(None);
        }
        let hash = self.hash;
        // The server keeps stored and server keys, not the password: derive them as it would.
        let salted = hash.salted(PASSWORD.as_bytes());
        let stored_key = hash.hash(&hash.hmac(&salted, b"Client Key"));
        let server_key = hash.hmac(&salted, b"Server Key");
        let auth_message = format!(
            "{},{},{without_proof}",
            exchange.client_first_bare, exchange.server_first
        );
        let client_signature = hash.hmac(&stored_key, auth_message.as_bytes());
        let Some(proof) = unbase64(proof) else {
            return Ok(None);
        };
        if proof.len() != client_signature.len() {
            return Ok(None);
        }
        let client_key: Vec<u8> = proof
            .iter()
            .zip(&client_signature)
            .map(|(a, b)| a ^ b)
            .collect();
        if hash.hash(&client_key) != stored_key {
            return Ok(None);
        }
        let mut signature = hash.hmac(&server_key, auth_message.as_bytes());
        if self.forging {
            signature[0] ^= 1;
        }
        Ok(Some(format!("v={}", base64(&signature)).into_bytes()))
    }
}

fn connack(code: ReasonCode, method: Option<String>, data: Option<Vec<u8>>) -> Packet {
    Packet::ConnAck(ConnAck {
        session_present: false,
        code,
        properties: ConnAckProperties {
            authentication_method: method,
            authentication_data: data.map(Bytes::from),
            ..ConnAckProperties::default()
        },
    })
}

fn auth_packet(reason: ReasonCode, method: &str, data: Vec<u8>) -> Packet {
    Packet::Auth(Auth {
        reason,
        properties: AuthProperties {
            method: Some(method.to_string()),
            data: Some(Bytes::from(data)),
            ..AuthProperties::default()
        },
    })
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 by hand, so that the peer shares no base64 code with the client it checks.
fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::new();
    let mut bits = 0u32;
    let mut count = 0;
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c)? as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

fn invalid(words: &str) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, words.to_string())
}
