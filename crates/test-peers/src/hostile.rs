//! The hostile broker: a WebSocket server whose request path picks a scripted misbehaviour.
//!
//! Every byte it sends is built here by hand, not by `mqtt-core`'s encoder, so a bug shared by
//! the client's decoder and encoder cannot hide itself.

use std::io::{self, ErrorKind};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use mqtt_core::ProtocolVersion;
use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::http::{HeaderValue, StatusCode};
use tungstenite::{Message, WebSocket};

/// What a correct client does when a case runs against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// The connection stays up and this many messages arrive, intact and in order.
    Survives { messages: usize },
    /// The client closes: malformed packet (version 5 DISCONNECT reason 0x81).
    Malformed,
    /// The client closes: protocol error (0x82).
    ProtocolError,
    /// The client closes: packet too large (0x95), before buffering the packet.
    TooLarge,
    /// The client closes: topic alias invalid (0x94).
    TopicAliasInvalid,
    /// The transport must refuse it: MQTT over WebSocket is binary frames only.
    BinaryFramesOnly,
    /// The server vanished mid-packet: the client reports the connection closed.
    Closed,
    /// The server sends nothing more: the client's keep alive gives up.
    KeepAliveTimeout,
    /// The server redirects (version 5 reason 0x9C or 0x9D with a Server Reference): the
    /// client stops and names the reference, which its user decides on.
    Redirected,
}

/// One scripted misbehaviour, served at `ws://127.0.0.1:PORT/<name>`.
pub struct Case {
    pub name: &'static str,
    /// What the peer does after reading the client's CONNECT.
    pub summary: &'static str,
    /// `None`: the case only exists in version 5 (the peer closes a 3.1.1 client at once).
    pub v311: Option<Expected>,
    pub v5: Expected,
    run: fn(&mut Peer) -> io::Result<()>,
}

impl Case {
    pub fn expected(&self, version: ProtocolVersion) -> Option<Expected> {
        match version {
            ProtocolVersion::V311 => self.v311,
            ProtocolVersion::V5 => Some(self.v5),
        }
    }
}

/// Topic of the messages the good cases send, and of the peer's final report in the burst case.
pub const TOPIC: &str = "hostile/stream";
pub const REPORT_TOPIC: &str = "hostile/report";
/// Messages in the burst case.
pub const BURST: usize = 10_000;
/// Messages in the byte-by-byte case.
pub const SPLIT_MESSAGES: usize = 3;
/// Where the redirection cases point: `$HOSTILE_SERVER_REFERENCE` (scripts/test sets the test
/// Mosquitto's WebSocket URL), else this closed port.
pub const DEFAULT_REFERENCE: &str = "ws://127.0.0.1:1";
/// The reference of the hostile redirection case, which no client may follow.
pub const HOSTILE_REFERENCE: &str = "javascript:alert(document.domain)";

/// The reference the redirection cases send.
pub fn server_reference() -> String {
    std::env::var("HOSTILE_SERVER_REFERENCE").unwrap_or_else(|_| DEFAULT_REFERENCE.to_owned())
}

/// The largest remaining length MQTT can express (256 MB less one byte).
const MAX_REMAINING_LENGTH: u32 = 268_435_455;

use Expected::*;

/// Every case, with the outcome a correct client shows for each protocol version.
pub const CASES: &[Case] = &[
    Case {
        name: "remaining-length-5-bytes",
        summary: "a PUBLISH fixed header whose remaining length runs to a fifth byte",
        v311: Some(Malformed),
        v5: Malformed,
        run: remaining_length_5_bytes,
    },
    Case {
        name: "huge-length-prefix",
        summary: "a PUBLISH announcing 268,435,455 bytes, then a byte every 20 ms",
        v311: Some(TooLarge),
        v5: TooLarge,
        run: huge_length_prefix,
    },
    Case {
        name: "lying-length",
        summary: "a PUBLISH whose remaining length (3) is shorter than its topic",
        v311: Some(Malformed),
        v5: Malformed,
        run: lying_length,
    },
    Case {
        name: "lying-length-long",
        summary: "a PUBLISH whose remaining length says 1000 bytes more than ever come",
        v311: Some(KeepAliveTimeout),
        v5: KeepAliveTimeout,
        run: lying_length_long,
    },
    Case {
        name: "invalid-utf8-topic",
        summary: "a PUBLISH whose topic is not UTF-8 (0xC3 0x28)",
        v311: Some(Malformed),
        v5: Malformed,
        run: invalid_utf8_topic,
    },
    Case {
        name: "nul-in-topic",
        summary: "a PUBLISH whose topic contains U+0000",
        v311: Some(Malformed),
        v5: Malformed,
        run: nul_in_topic,
    },
    Case {
        name: "unknown-packet-type",
        summary: "a packet of the reserved type 0",
        v311: Some(Malformed),
        v5: Malformed,
        run: unknown_packet_type,
    },
    Case {
        name: "packet-type-15",
        summary: "a packet of type 15 (reserved in 3.1.1, an AUTH nobody asked for in 5)",
        v311: Some(Malformed),
        v5: ProtocolError,
        run: packet_type_15,
    },
    Case {
        name: "publish-qos-3",
        summary: "a PUBLISH with both QoS bits set",
        v311: Some(Malformed),
        v5: Malformed,
        run: publish_qos_3,
    },
    Case {
        name: "pubrel-wrong-flags",
        summary: "a PUBREL with flags 0000 instead of 0010",
        v311: Some(Malformed),
        v5: Malformed,
        run: pubrel_wrong_flags,
    },
    Case {
        name: "connack-twice",
        summary: "a second CONNACK",
        v311: Some(ProtocolError),
        v5: ProtocolError,
        run: connack_twice,
    },
    Case {
        name: "suback-unknown-id",
        summary: "a SUBACK for packet id 4242, never used",
        v311: Some(ProtocolError),
        v5: ProtocolError,
        run: suback_unknown_id,
    },
    Case {
        name: "puback-unknown-id",
        summary: "a PUBACK for packet id 4242, never used",
        v311: Some(ProtocolError),
        v5: ProtocolError,
        run: puback_unknown_id,
    },
    Case {
        name: "topic-alias-beyond-maximum",
        summary: "a PUBLISH using the topic alias one above the client's announced maximum",
        v311: None,
        v5: TopicAliasInvalid,
        run: topic_alias_beyond_maximum,
    },
    Case {
        name: "ten-thousand-packets-in-one-frame",
        summary: "10,000 valid QoS 1 PUBLISHes in one frame; after all PUBACKs, a report message \
                  (`report_text`: how many, in how many frames)",
        v311: Some(Survives {
            messages: BURST + 1,
        }),
        v5: Survives {
            messages: BURST + 1,
        },
        run: ten_thousand_packets_in_one_frame,
    },
    Case {
        name: "split-byte-by-byte",
        summary: "a valid CONNACK and 3 PUBLISHes, one byte per WebSocket frame",
        v311: Some(Survives {
            messages: SPLIT_MESSAGES,
        }),
        v5: Survives {
            messages: SPLIT_MESSAGES,
        },
        run: split_byte_by_byte,
    },
    Case {
        name: "text-frames",
        summary: "the CONNACK in a text frame",
        v311: Some(BinaryFramesOnly),
        v5: BinaryFramesOnly,
        run: text_frames,
    },
    Case {
        name: "connack-use-another-server",
        summary: "CONNACK 0x9C (use another server) with a Server Reference ($HOSTILE_SERVER_REFERENCE)",
        v311: None,
        v5: Redirected,
        run: connack_use_another_server,
    },
    Case {
        name: "disconnect-server-moved",
        summary: "CONNACK, then DISCONNECT 0x9D (server moved) with a Server Reference ($HOSTILE_SERVER_REFERENCE)",
        v311: None,
        v5: Redirected,
        run: disconnect_server_moved,
    },
    Case {
        name: "hostile-server-reference",
        summary: "CONNACK 0x9C with a javascript: URL as the Server Reference",
        v311: None,
        v5: Redirected,
        run: hostile_server_reference,
    },
    Case {
        name: "abrupt-close-mid-packet",
        summary: "half a PUBLISH, then the TCP connection closed without a WebSocket close",
        v311: Some(Closed),
        v5: Closed,
        run: abrupt_close_mid_packet,
    },
];

pub fn case(name: &str) -> Option<&'static Case> {
    CASES.iter().find(|case| case.name == name)
}

/// Serves every case on `listener` until the process ends, one thread per connection.
pub fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept()?;
        thread::spawn(move || {
            if let Err(error) = serve_connection(stream) {
                eprintln!("hostile-broker: connection ended: {error}");
            }
        });
    }
}

/// How long the peer waits for a client that says nothing, so no thread outlives its test.
const IDLE_LIMIT: Duration = Duration::from_secs(30);

// The handshake callback's error type is tungstenite's, large or not.
#[allow(clippy::result_large_err)]
fn serve_connection(stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE_LIMIT))?;
    stream.set_nodelay(true)?;
    let mut chosen = None;
    let socket = tungstenite::accept_hdr(stream, |request: &Request, response: Response| {
        let name = request.uri().path().trim_start_matches('/');
        chosen = case(name);
        match chosen {
            Some(_) => Ok(with_mqtt_subprotocol(request, response)),
            None => Err(not_found(name)),
        }
    })
    .map_err(|error| io::Error::other(error.to_string()))?;
    let Some(case) = chosen else {
        return Ok(());
    };
    let mut peer = Peer {
        socket,
        version: ProtocolVersion::V311,
        connect: Vec::new(),
    };
    peer.read_connect()?;
    if case.expected(peer.version).is_none() {
        // Nothing to misbehave with in this version: say so and leave.
        return peer.socket.close(None).map_err(io::Error::other);
    }
    (case.run)(&mut peer)?;
    peer.linger()
}

fn with_mqtt_subprotocol(request: &Request, mut response: Response) -> Response {
    let offers_mqtt = request
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|protocol| protocol.trim() == "mqtt");
    if offers_mqtt {
        response
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("mqtt"));
    }
    response
}

fn not_found(name: &str) -> ErrorResponse {
    let names: Vec<&str> = CASES.iter().map(|case| case.name).collect();
    let mut response = ErrorResponse::new(Some(format!(
        "no case named {name:?}; the cases are: {}\n",
        names.join(", ")
    )));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// One client connection, from the peer's side.
pub struct Peer {
    socket: WebSocket<TcpStream>,
    version: ProtocolVersion,
    /// The client's CONNECT, whole.
    connect: Vec<u8>,
}

impl Peer {
    fn read_connect(&mut self) -> io::Result<()> {
        let bytes = match self.socket.read().map_err(io::Error::other)? {
            Message::Binary(bytes) => bytes,
            other => return Err(invalid(format!("expected CONNECT, got {other:?}"))),
        };
        // Fixed header, remaining length, then "MQTT" with its length and the protocol level.
        let header_len = 1 + length_prefix_len(&bytes)?;
        let level = bytes.get(header_len + 6).copied();
        if bytes.first() != Some(&0x10)
            || bytes.get(header_len..header_len + 6) != Some(b"\0\x04MQTT")
        {
            return Err(invalid("the first frame is not a CONNECT".into()));
        }
        self.version = match level {
            Some(4) => ProtocolVersion::V311,
            Some(5) => ProtocolVersion::V5,
            other => return Err(invalid(format!("unsupported protocol level {other:?}"))),
        };
        self.connect = bytes;
        Ok(())
    }

    fn send(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        self.socket
            .send(Message::Binary(bytes))
            .map_err(io::Error::other)
    }

    fn connack(&self) -> Vec<u8> {
        match self.version {
            ProtocolVersion::V311 => vec![0x20, 0x02, 0x00, 0x00],
            ProtocolVersion::V5 => vec![0x20, 0x03, 0x00, 0x00, 0x00],
        }
    }

    fn send_connack(&mut self) -> io::Result<()> {
        let connack = self.connack();
        self.send(connack)
    }

    /// A PUBLISH; `properties` are only written in version 5.
    fn publish(&self, flags: u8, topic: &[u8], packet_id: Option<u16>, payload: &[u8]) -> Vec<u8> {
        self.publish_with_properties(flags, topic, packet_id, &[], payload)
    }

    fn publish_with_properties(
        &self,
        flags: u8,
        topic: &[u8],
        packet_id: Option<u16>,
        properties: &[u8],
        payload: &[u8],
    ) -> Vec<u8> {
        let mut body = string(topic);
        if let Some(id) = packet_id {
            body.extend_from_slice(&id.to_be_bytes());
        }
        if self.version == ProtocolVersion::V5 {
            body.extend(variable_length(properties.len() as u32));
            body.extend_from_slice(properties);
        }
        body.extend_from_slice(payload);
        packet(0x30 | flags, &body)
    }

    /// The Topic Alias Maximum the client announced in its CONNECT (0 when absent).
    fn announced_topic_alias_maximum(&self) -> io::Result<u16> {
        let header_len = 1 + length_prefix_len(&self.connect)?;
        // Protocol name (6), level (1), flags (1), keep alive (2), then the properties.
        let mut at = header_len + 10;
        let (properties_len, prefix_len) =
            read_variable_length(&self.connect[at.min(self.connect.len())..])?;
        at += prefix_len;
        let end = at + properties_len as usize;
        let field = |at: usize, len: usize| {
            self.connect
                .get(at..at + len)
                .ok_or_else(|| invalid("CONNECT properties cut short".into()))
        };
        while at < end {
            let id = field(at, 1)?[0];
            at += 1;
            let size = match id {
                0x17 | 0x19 => 1,
                0x21 | 0x22 => 2,
                0x11 | 0x27 => 4,
                0x15 | 0x16 => 2 + u16_at(field(at, 2)?) as usize,
                0x26 => {
                    let name = 2 + u16_at(field(at, 2)?) as usize;
                    name + 2 + u16_at(field(at + name, 2)?) as usize
                }
                other => return Err(invalid(format!("unknown CONNECT property 0x{other:02X}"))),
            };
            if id == 0x22 {
                return Ok(u16_at(field(at, 2)?));
            }
            at += size;
        }
        Ok(0)
    }

    /// Reads until the client closes, so it is the client, not us, that ends the connection.
    /// Answers pings, so only the misbehaviour itself can end a connection.
    fn linger(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + IDLE_LIMIT;
        while Instant::now() < deadline {
            match self.socket.read() {
                Ok(Message::Binary(bytes)) if bytes == [0xC0, 0x00] => {
                    self.send(vec![0xD0, 0x00])?;
                }
                Ok(Message::Close(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
        Ok(())
    }
}

fn remaining_length_5_bytes(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    peer.send(vec![0x30, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00, 0x01, b'a'])
}

fn huge_length_prefix(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let mut header = vec![0x30];
    header.extend(variable_length(MAX_REMAINING_LENGTH));
    peer.send(header)?;
    // Trickle the body until the client gives up (a send then fails) or the idle limit.
    let deadline = Instant::now() + IDLE_LIMIT;
    while Instant::now() < deadline {
        if peer.send(vec![b'x']).is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

fn lying_length(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let mut bytes = peer.publish(0, b"a/b", None, b"hello");
    bytes[1] = 3; // The topic alone needs 5 bytes.
    peer.send(bytes)
}

fn lying_length_long(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let honest = peer.publish(0, TOPIC.as_bytes(), None, b"hello");
    let mut lying = vec![0x30];
    lying.extend(variable_length((honest.len() - 2) as u32 + 1000));
    lying.extend_from_slice(&honest[2..]);
    peer.send(lying)
}

fn invalid_utf8_topic(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let publish = peer.publish(0, &[b'a', 0xC3, 0x28], None, b"x");
    peer.send(publish)
}

fn nul_in_topic(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let publish = peer.publish(0, b"a\0b", None, b"x");
    peer.send(publish)
}

fn unknown_packet_type(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    peer.send(vec![0x00, 0x00])
}

fn packet_type_15(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    peer.send(vec![0xF0, 0x00])
}

fn publish_qos_3(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let publish = peer.publish(0b0110, TOPIC.as_bytes(), Some(1), b"x");
    peer.send(publish)
}

fn pubrel_wrong_flags(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    peer.send(vec![0x60, 0x02, 0x00, 0x01])
}

fn connack_twice(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    peer.send_connack()
}

fn suback_unknown_id(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let mut body = 4242u16.to_be_bytes().to_vec();
    if peer.version == ProtocolVersion::V5 {
        body.push(0x00); // no properties
    }
    body.push(0x00); // granted QoS 0
    peer.send(packet(0x90, &body))
}

fn puback_unknown_id(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    peer.send(packet(0x40, &4242u16.to_be_bytes()))
}

fn topic_alias_beyond_maximum(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    // Alias 0 is never valid, so it stands in when the maximum is already the largest.
    let alias = peer
        .announced_topic_alias_maximum()?
        .checked_add(1)
        .unwrap_or(0);
    let mut properties = vec![0x23];
    properties.extend_from_slice(&alias.to_be_bytes());
    let publish = peer.publish_with_properties(0, TOPIC.as_bytes(), None, &properties, b"x");
    peer.send(publish)
}

fn ten_thousand_packets_in_one_frame(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let mut frame = Vec::new();
    for sequence in 1..=BURST as u16 {
        let payload = sequence.to_string();
        frame.extend(peer.publish(0b0010, TOPIC.as_bytes(), Some(sequence), payload.as_bytes()));
    }
    peer.send(frame)?;
    let (acknowledged, frames) = count_pubacks(peer, BURST)?;
    let report = peer.publish(
        0,
        REPORT_TOPIC.as_bytes(),
        None,
        report_text(acknowledged, frames).as_bytes(),
    );
    peer.send(report)
}

/// The burst case's report: the PUBACKs the peer got, and in how many WebSocket frames (a
/// client that answers a batch at once may put many in one).
pub fn report_text(pubacks: usize, frames: usize) -> String {
    format!("{pubacks} PUBACKs in {frames} frames")
}

/// Reads the client's frames until `expected` PUBACKs (in order, ids 1, 2, ...) came: how many
/// came, in how many binary frames.
fn count_pubacks(peer: &mut Peer, expected: usize) -> io::Result<(usize, usize)> {
    let mut stream = Vec::new();
    let mut acknowledged = 0;
    let mut frames = 0;
    while acknowledged < expected {
        match peer.socket.read().map_err(io::Error::other)? {
            Message::Binary(bytes) => {
                frames += 1;
                stream.extend_from_slice(&bytes);
            }
            Message::Close(_) => return Ok((acknowledged, frames)),
            _ => continue,
        }
        // A PUBACK is 4 bytes (3.1.1, or 5 with success and no properties): 0x40 0x02 id.
        while stream.len() >= 2 {
            let frame_len = 2 + usize::from(stream[1]);
            if stream.len() < frame_len {
                break;
            }
            let frame: Vec<u8> = stream.drain(..frame_len).collect();
            let next_id = acknowledged as u16 + 1;
            if frame[0] == 0x40 && frame.len() >= 4 && u16_at(&frame[2..4]) == next_id {
                acknowledged += 1;
            }
        }
    }
    Ok((acknowledged, frames))
}

fn split_byte_by_byte(peer: &mut Peer) -> io::Result<()> {
    let mut bytes = peer.connack();
    for sequence in 1..=SPLIT_MESSAGES {
        let payload = sequence.to_string();
        bytes.extend(peer.publish(0, TOPIC.as_bytes(), None, payload.as_bytes()));
    }
    for byte in bytes {
        peer.send(vec![byte])?;
    }
    Ok(())
}

fn text_frames(peer: &mut Peer) -> io::Result<()> {
    let connack = peer.connack();
    let text = String::from_utf8(connack).map_err(|error| invalid(error.to_string()))?;
    peer.socket
        .send(Message::Text(text))
        .map_err(io::Error::other)
}

fn abrupt_close_mid_packet(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let publish = peer.publish(0, TOPIC.as_bytes(), None, b"cut short");
    peer.send(publish[..publish.len() / 2].to_vec())?;
    peer.socket.get_mut().shutdown(std::net::Shutdown::Both)
}

/// A Server Reference property (0x1C).
fn server_reference_property(reference: &str) -> Vec<u8> {
    let mut property = vec![0x1C];
    property.extend(string(reference.as_bytes()));
    property
}

/// A version 5 CONNACK refusing with `code` and naming `reference`.
fn refusing_connack(code: u8, reference: &str) -> Vec<u8> {
    let properties = server_reference_property(reference);
    let mut body = vec![0x00, code];
    body.extend(variable_length(properties.len() as u32));
    body.extend(properties);
    packet(0x20, &body)
}

fn connack_use_another_server(peer: &mut Peer) -> io::Result<()> {
    peer.send(refusing_connack(0x9C, &server_reference()))
}

fn disconnect_server_moved(peer: &mut Peer) -> io::Result<()> {
    peer.send_connack()?;
    let properties = server_reference_property(&server_reference());
    let mut body = vec![0x9D];
    body.extend(variable_length(properties.len() as u32));
    body.extend(properties);
    peer.send(packet(0xE0, &body))
}

fn hostile_server_reference(peer: &mut Peer) -> io::Result<()> {
    peer.send(refusing_connack(0x9C, HOSTILE_REFERENCE))
}

/// A packet: first byte, remaining length, body.
fn packet(first_byte: u8, body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![first_byte];
    bytes.extend(variable_length(body.len() as u32));
    bytes.extend_from_slice(body);
    bytes
}

/// An MQTT string: two length bytes, then the bytes as given (valid UTF-8 or not).
fn string(bytes: &[u8]) -> Vec<u8> {
    let mut encoded = (bytes.len() as u16).to_be_bytes().to_vec();
    encoded.extend_from_slice(bytes);
    encoded
}

fn variable_length(mut value: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let mut byte = (value % 128) as u8;
        value /= 128;
        if value > 0 {
            byte |= 0x80;
        }
        bytes.push(byte);
        if value == 0 {
            return bytes;
        }
    }
}

/// The value and length of the variable byte integer at the start of `bytes`.
fn read_variable_length(bytes: &[u8]) -> io::Result<(u32, usize)> {
    let mut value = 0u32;
    for (index, byte) in bytes.iter().take(4).enumerate() {
        value |= u32::from(byte & 0x7F) << (7 * index);
        if byte & 0x80 == 0 {
            return Ok((value, index + 1));
        }
    }
    Err(invalid("a bad variable byte integer".into()))
}

/// How many bytes the remaining length of the packet in `bytes` takes.
fn length_prefix_len(bytes: &[u8]) -> io::Result<usize> {
    read_variable_length(bytes.get(1..).unwrap_or_default()).map(|(_, len)| len)
}

fn u16_at(bytes: &[u8]) -> u16 {
    u16::from_be_bytes([bytes[0], bytes[1]])
}

fn invalid(message: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, message)
}
