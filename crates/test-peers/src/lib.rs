//! Native test peers for mqtt-web-client, and the tests that use them (`tests/`).
//!
//! - `hostile-broker <port>`: a WebSocket server (subprotocol `mqtt`) that misbehaves on
//!   purpose. The request path picks the case, `ws://127.0.0.1:<port>/<case>`: it reads the
//!   client's CONNECT, answers with a valid CONNACK of the same protocol version where the case
//!   needs one, then does what the case says and keeps the connection open until the client
//!   closes it, so the client must notice the problem by itself. An unknown path gets HTTP 404
//!   with the list of cases. The browser tests use the same server.
//! - `test-rumqttd <v3.1.1-port> <v5-port> <ws-port>`: rumqttd configured in code, for interop.
//! - `tests/brokers/aedes/server.js` (Node.js) is the third broker; Mosquitto is the first.
//!   `brokers::Mosquitto` is the one way to start it, for the tests here and, through
//!   `test-mosquitto` (with an optional restart control port), for the scripts and the browser
//!   tests.
//! - `restart-stream <control-port>`: the native side of the browser's broker-restart stream.
//! - `test-ejabberd [--control-port N]`: a two-node ejabberd cluster (`cluster`), whose control
//!   port kills or starts a node; `tests/cluster.rs` proves it.
//!
//! The hostile cases and what a correct client does (`hostile::CASES` is the source of truth;
//! "closes" means it reports the connection lost in words and, in version 5, sends DISCONNECT
//! with the reason code in brackets first):
//!
//! | case | the peer sends | 3.1.1 | 5.0 |
//! |---|---|---|---|
//! | `remaining-length-5-bytes` | a fixed header with 5 length bytes | closes | closes (0x81) |
//! | `huge-length-prefix` | a PUBLISH announcing 268,435,455 bytes, then a byte every 20 ms | closes as too large, nothing buffered | closes (0x95) |
//! | `lying-length` | a PUBLISH whose remaining length is shorter than its topic | closes | closes (0x81) |
//! | `lying-length-long` | a PUBLISH whose remaining length promises 1000 bytes never sent | keep alive gives up | keep alive gives up |
//! | `invalid-utf8-topic` | a topic with bytes 0xC3 0x28 | closes | closes (0x81) |
//! | `nul-in-topic` | a topic with U+0000 | closes | closes (0x81) |
//! | `unknown-packet-type` | packet type 0 | closes | closes (0x81) |
//! | `packet-type-15` | packet type 15 | closes | closes: AUTH never asked for (0x82) |
//! | `publish-qos-3` | a PUBLISH with QoS bits 11 | closes | closes (0x81) |
//! | `pubrel-wrong-flags` | a PUBREL with flags 0000 | closes | closes (0x81) |
//! | `connack-twice` | a second CONNACK | closes | closes (0x82) |
//! | `suback-unknown-id` | a SUBACK for an id never used | closes | closes (0x82) |
//! | `puback-unknown-id` | a PUBACK for an id never used | closes | closes (0x82) |
//! | `topic-alias-beyond-maximum` | a topic alias above the client's maximum | (no such thing: the peer closes) | closes (0x94) |
//! | `ten-thousand-packets-in-one-frame` | 10,000 QoS 1 PUBLISHes in one frame, then a report once all 10,000 PUBACKs came | stays up, 10,001 messages | same |
//! | `split-byte-by-byte` | CONNACK and 3 PUBLISHes, one byte per frame | stays up, 3 messages | same |
//! | `text-frames` | the CONNACK as a text frame | the transport refuses it | same |
//! | `abrupt-close-mid-packet` | half a PUBLISH, then a TCP close without a WebSocket close | reports the connection closed | same |

pub mod brokers;
pub mod cluster;
pub mod control;
pub mod driver;
pub mod hostile;
pub mod restart_stream;
pub mod scram_peer;
